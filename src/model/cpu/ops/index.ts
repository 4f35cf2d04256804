// The CPU ops, one module per layer with its forward and backward side by side (llm.c's layout): outputs
// first, then inputs, then weights, then sizes. This plain TypeScript is the reference the kernels match.

export * from './attention';
export * from './embedding';
export * from './gelu';
export * from './layernorm';
export * from './logits';
export * from './matmul';
export * from './residual';
