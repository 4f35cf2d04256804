// Errors that carry one sentence meant for the user. The UI and the CLI show `message` as it is, so it must
// say what is wrong and with which file, without a stack trace.

/** A weight file or config that cannot be turned into a model. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
}

/** Text or settings the engine cannot run on (for example no tokens at all). */
export class InputError extends Error {
  override name = 'InputError';
}
