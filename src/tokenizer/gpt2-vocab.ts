// GPT-2's vocabulary as numbers, with no rank table attached: its size and its end-of-text token. Kept apart
// from gpt2.ts so that code which needs only these (training, the head detectors) does not load the BPE ranks.

export const GPT2_VOCAB_SIZE = 50257;
export const END_OF_TEXT = '<|endoftext|>';
export const END_OF_TEXT_ID = 50256;
