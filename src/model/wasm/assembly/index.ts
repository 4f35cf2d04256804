// AssemblyScript entry point: the kernels the CPU engine calls, each over a range of rows or elements so that
// worker threads sharing this module's memory can split the work (see src/model/wasm/thread-pool.ts).
export { gemm_nn, gemm_nt, set_pack_buffer, transposeInto as transpose } from './gemm';
export {
  gelu_forward,
  gelu_backward,
  layernorm_forward,
  layernorm_backward,
  bias_backward,
} from './activations';
export { attention_forward, attention_backward } from './attention';
export { cross_entropy_forward } from './cross-entropy';
export { adamw_update } from './adamw';
