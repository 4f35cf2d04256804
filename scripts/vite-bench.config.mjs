// Vite config for the GPU machine's benchmark bundle (src/bench/webgpu-device.ts): one ES module with every
// dependency inlined (js-tiktoken included) except `webgpu`, which ../shared/device/pack.sh packs beside it.
export default {
  publicDir: false,
  build: {
    ssr: true,
    outDir: 'dist-bench',
    emptyOutDir: true,
    rollupOptions: { external: ['webgpu', /^node:/] },
  },
  ssr: { noExternal: true, external: ['webgpu'] },
};
