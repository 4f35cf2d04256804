// The statistics of a numerically stable softmax over one row, shared by the kernels that take a softmax (the
// attention softmax, which the explorer and training both run, and the cross-entropy). Needs
// workgroup-reduce.wgsl. The kernel defines `fn softmaxInput(row: u32, j: u32) -> f32`, the value of entry j of
// the row (scaled, biased, …), which WGSL lets a library call although the kernel declares it later. One
// workgroup per row, REDUCE_SIZE threads.

// (max, Σ exp(x − max)) over the entries [0, count) of `row`; every thread of the workgroup gets both. The
// maximum is subtracted first so that exp cannot overflow on large scores.
fn rowSoftmaxStats(lid: u32, row: u32, count: u32) -> vec2f {
  var rowMax = -3.402823e38;
  for (var j = lid; j < count; j += REDUCE_SIZE) {
    rowMax = max(rowMax, softmaxInput(row, j));
  }
  rowMax = workgroupReduce(lid, rowMax, true);
  var sum = 0.0;
  for (var j = lid; j < count; j += REDUCE_SIZE) {
    sum += exp(softmaxInput(row, j) - rowMax);
  }
  return vec2f(rowMax, workgroupReduce(lid, sum, false));
}
