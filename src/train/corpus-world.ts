// The small world the training corpus describes: who is in it (with number and gender, which decide the
// pronouns and verb forms), where they go, what they are like. Every word is one GPT-2 token after a space.

/** Decides the pronouns: he/his/him, she/her/her, it/its/it, and they/their/them for plurals. */
export type Gender = 'male' | 'female' | 'neuter';

export interface Noun {
  singular: string;
  plural: string;
  gender: Gender;
}

export const CHARACTERS: Noun[] = [
  { singular: 'cat', plural: 'cats', gender: 'neuter' },
  { singular: 'dog', plural: 'dogs', gender: 'neuter' },
  { singular: 'bird', plural: 'birds', gender: 'neuter' },
  { singular: 'mouse', plural: 'mice', gender: 'neuter' },
  { singular: 'cow', plural: 'cows', gender: 'neuter' },
  { singular: 'horse', plural: 'horses', gender: 'neuter' },
  { singular: 'boy', plural: 'boys', gender: 'male' },
  { singular: 'man', plural: 'men', gender: 'male' },
  { singular: 'king', plural: 'kings', gender: 'male' },
  { singular: 'girl', plural: 'girls', gender: 'female' },
  { singular: 'woman', plural: 'women', gender: 'female' },
  { singular: 'queen', plural: 'queens', gender: 'female' },
];

/** Adjectives that describe how a character looks (before the noun). */
export const LOOKS = ['fat', 'small', 'big', 'old', 'little', 'brown', 'red'];
/** Adjectives that describe a state (after "was" / "were"). */
export const STATES = ['happy', 'sleepy', 'warm', 'hungry', 'sad', 'tired'];
/** Things to sit, sleep or land on: "on the mat". */
export const SURFACES = ['mat', 'rug', 'bed', 'box', 'chair', 'table', 'hill', 'road'];
/** Places to run to: "ran to the house". */
export const PLACES = ['house', 'tree', 'garden', 'park', 'door', 'window', 'hill', 'road'];
/** Things a character can have, lose, find or give. */
export const THINGS = ['hat', 'ball', 'bone', 'fish', 'cake', 'cup', 'book', 'toy'];
/** Past-tense verbs of resting on a surface. */
export const REST_VERBS = ['sat', 'slept', 'jumped', 'played'];
/** Past-tense verbs of noticing another character. */
export const SEE_VERBS = ['saw', 'liked', 'chased', 'found'];

export interface Pronouns {
  subject: string;
  possessive: string;
  object: string;
}

export function pronounsFor(gender: Gender, plural: boolean): Pronouns {
  if (plural) return { subject: 'they', possessive: 'their', object: 'them' };
  if (gender === 'male') return { subject: 'he', possessive: 'his', object: 'him' };
  if (gender === 'female') return { subject: 'she', possessive: 'her', object: 'her' };
  return { subject: 'it', possessive: 'its', object: 'it' };
}

/** "was" or "were": the agreement the corpus asks a head to look back for. */
export const beVerb = (plural: boolean): string => (plural ? 'were' : 'was');
