// The training corpus, generated from a seed: one short story per line in the spirit of "the fat cat sat on the
// mat.", where pronouns refer back to the character in focus and verbs agree in number with their subject.

import { seededRandom } from '../model/random';
import {
  beVerb,
  CHARACTERS,
  LOOKS,
  PLACES,
  pronounsFor,
  REST_VERBS,
  SEE_VERBS,
  STATES,
  SURFACES,
  THINGS,
  type Noun,
} from './corpus-world';

/** One character in a story: which noun, how many, and the adjective it was introduced with. */
interface Character {
  noun: Noun;
  plural: boolean;
  look: string | null;
}

const pickFrom = <X>(random: () => number, items: readonly X[]): X =>
  items[Math.floor(random() * items.length)];

/** A noun, plural three times in ten, with a looks adjective six times in ten. */
function randomCharacter(random: () => number): Character {
  return {
    noun: pickFrom(random, CHARACTERS),
    plural: random() < 0.3,
    look: random() < 0.6 ? pickFrom(random, LOOKS) : null,
  };
}

class StoryWriter {
  private readonly sentences: string[] = [];
  /** The character a pronoun refers to: the last one introduced or described by name. */
  private focus: Character;
  private readonly surface: string;

  constructor(
    private readonly random: () => number,
    private readonly hero: Character,
  ) {
    this.focus = hero;
    this.surface = this.pick(SURFACES);
  }

  pick<X>(items: readonly X[]): X {
    return pickFrom(this.random, items);
  }

  private name(c: Character, withLook: boolean): string {
    const noun = c.plural ? c.noun.plural : c.noun.singular;
    return withLook && c.look ? `the ${c.look} ${noun}` : `the ${noun}`;
  }

  private say(words: string): void {
    this.sentences.push(`${words}.`);
  }

  /** "the fat cat sat on the mat." */
  introduce(): void {
    this.say(`${this.name(this.hero, true)} ${this.pick(REST_VERBS)} on the ${this.surface}`);
  }

  /** "she was happy." The pronoun and the verb agree with the character in focus. */
  describeFocus(): void {
    const c = this.focus;
    this.say(`${pronounsFor(c.noun.gender, c.plural).subject} ${beVerb(c.plural)} ${this.pick(STATES)}`);
  }

  /** "the cats on the mat were sleepy.": agreement across a noun of the other number in between. */
  describeHeroOnSurface(): void {
    const h = this.hero;
    this.say(`${this.name(h, false)} on the ${this.surface} ${beVerb(h.plural)} ${this.pick(STATES)}`);
    this.focus = h;
  }

  /** "he lost his ball." */
  loseOrFind(): void {
    const c = this.focus;
    const p = pronounsFor(c.noun.gender, c.plural);
    this.say(`${p.subject} ${this.pick(['lost', 'found'])} ${p.possessive} ${this.pick(THINGS)}`);
  }

  /** "it saw the small dog.": a second character, who then takes the focus. */
  meetSomeone(): void {
    const other = randomCharacter(this.random);
    const p = pronounsFor(this.focus.noun.gender, this.focus.plural);
    this.say(`${p.subject} ${this.pick(SEE_VERBS)} ${this.name(other, true)}`);
    this.focus = other;
  }

  /** "then they ran to the house." */
  runAway(): void {
    const c = this.focus;
    this.say(`then ${pronounsFor(c.noun.gender, c.plural).subject} ran to the ${this.pick(PLACES)}`);
  }

  /** "the queen gave it a cake.": the hero named again as the giver; the focus stays on the receiver, "it". */
  giveSomething(): void {
    if (this.focus === this.hero) return this.loseOrFind();
    const object = pronounsFor(this.focus.noun.gender, this.focus.plural).object;
    this.say(`${this.name(this.hero, false)} gave ${object} a ${this.pick(THINGS)}`);
  }

  text(): string {
    return this.sentences.join(' ');
  }
}

/** One story of two to four sentences. */
export function writeStory(random: () => number): string {
  const writer = new StoryWriter(random, randomCharacter(random));
  writer.introduce();
  const moves = [
    () => writer.describeFocus(),
    () => writer.describeHeroOnSurface(),
    () => writer.loseOrFind(),
    () => writer.meetSomeone(),
    () => writer.runAway(),
    () => writer.giveSomething(),
  ];
  const count = 1 + Math.floor(random() * 3);
  for (let i = 0; i < count; i++) writer.pick(moves)();
  return writer.text();
}

export interface Corpus {
  train: string;
  validation: string;
}

/** `stories` lines from `seed`; the last `validationFraction` of them are held out for validation. */
export function generateCorpus(seed: number, stories: number, validationFraction = 0.1): Corpus {
  const random = seededRandom(seed);
  const lines = Array.from({ length: stories }, () => writeStory(random));
  const split = Math.round(stories * (1 - validationFraction));
  return { train: lines.slice(0, split).join('\n') + '\n', validation: lines.slice(split).join('\n') + '\n' };
}
