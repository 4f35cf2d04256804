// The id check both engines run before a pass: no ids, more ids than the context, or an id outside the
// vocabulary each give one sentence for the user (an InputError), and a valid list passes.

import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/model/errors';
import { validateIds } from '../../src/model/validate-ids';

describe('validateIds', () => {
  it('accepts ids within the vocabulary and the context', () => {
    expect(() => validateIds([0, 5, 9], 10, 3)).not.toThrow();
  });

  it('refuses an empty list, a list longer than the context and an id outside the vocabulary', () => {
    const cases: [number[], RegExp][] = [
      [[], /no tokens to run/],
      [[1, 2, 3, 4], /4 tokens exceed the context of 3/],
      [[1, 10], /Token id 10 is outside the vocabulary of 10/],
      [[1, -1], /Token id -1 is outside/],
      [[1.5], /Token id 1.5 is outside/],
    ];
    for (const [ids, message] of cases) {
      expect(() => validateIds(ids, 10, 3)).toThrow(InputError);
      expect(() => validateIds(ids, 10, 3)).toThrow(message);
    }
  });
});
