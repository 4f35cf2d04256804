// Workgroup reductions for the row kernels, prepended to a kernel's source after the generated header (see
// KernelSpec.libraries in kernels.ts). REDUCE_SIZE, a power of two, is the workgroup's thread count; the kernel
// sets it among its constants. Every thread of the workgroup must call these, with uniform control flow.

var<workgroup> partial: array<f32, REDUCE_SIZE>;

// Reduces `value` over the workgroup by halving (max when takeMax, else sum); every thread gets the result.
fn workgroupReduce(lid: u32, value: f32, takeMax: bool) -> f32 {
  partial[lid] = value;
  workgroupBarrier();
  for (var stride = REDUCE_SIZE / 2u; stride > 0u; stride = stride / 2u) {
    if (lid < stride) {
      let other = partial[lid + stride];
      partial[lid] = select(partial[lid] + other, max(partial[lid], other), takeMax);
    }
    workgroupBarrier();
  }
  let result = partial[0];
  workgroupBarrier(); // nobody may overwrite partial[0] before everyone has read it
  return result;
}

fn workgroupSum(lid: u32, value: f32) -> f32 {
  return workgroupReduce(lid, value, false);
}
