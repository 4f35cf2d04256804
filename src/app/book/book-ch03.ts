// The inputs of chapter 3 of "Build a Large Language Model (from Scratch)": the 3-d embeddings of "Your
// journey starts with one step" and the seeded W_query, W_key, W_value (d_out = 2). What the book prints for
// them is in the PyTorch fixture (tests/fixtures/fixtures.json, book_ch03), which the tests compare against.

/** Tokens of the book's example sentence. */
export const BOOK_TOKENS = ['Your', 'journey', 'starts', 'with', 'one', 'step'];

/** The book's input embeddings (§3.3.1), one 3-d row per token. */
export const BOOK_INPUTS = [
  [0.43, 0.15, 0.89],
  [0.55, 0.87, 0.66],
  [0.57, 0.85, 0.64],
  [0.22, 0.58, 0.33],
  [0.77, 0.25, 0.1],
  [0.05, 0.8, 0.55],
];

/** torch.manual_seed(123) trainable weights (§3.4.1), shape (3, 2). */
export const BOOK_W_QUERY = [
  [0.29611194, 0.51656228],
  [0.25167072, 0.68855679],
  [0.07397246, 0.86652195],
];
export const BOOK_W_KEY = [
  [0.13657987, 0.10247904],
  [0.18405646, 0.72644675],
  [0.31525391, 0.68710667],
];
export const BOOK_W_VALUE = [
  [0.07563531, 0.19663817],
  [0.31641197, 0.40174013],
  [0.1185683, 0.82739538],
];
