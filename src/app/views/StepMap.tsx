// A map of the seven steps: text → tokens → the two tables → their sum → scores → weights → context, with the
// current step marked (aria-current) and every box a button that opens its step. Always open on a wide screen,
// folded into a <details> on a phone, where it would push the step below the fold.

import { useSyncExternalStore } from 'react';
import type { Settings } from '../data/types';
import './step-map.css';

/** Phones get the folded map; the same width as the stylesheet's phone layout. */
const NARROW = '(max-width: 600px)';

/** One box: the step it opens, the words it shows, and a formula line that follows the settings. */
interface MapBox {
  step: number;
  label: string;
  detail: (settings: MapSettings) => string;
  /** Greyed, and said in words, when the settings leave this part out. */
  off?: (settings: MapSettings) => boolean;
}

type MapSettings = Pick<Settings, 'mode' | 'positions' | 'causal' | 'preset'>;

const naive = (s: MapSettings) => s.mode === 'naive';
/** Position embeddings are left out in naive mode with the box unticked (the book's example has none). */
const positionsLeftOut = (s: MapSettings) => s.preset === 'book' || (naive(s) && !s.positions);

// The names differ from the step titles on purpose: the step list's buttons keep their names unique.
const TOKENS: MapBox = { step: 1, label: 'Tokens', detail: () => 'text → ids' };
const TABLES: MapBox[] = [
  { step: 2, label: 'Token table', detail: () => 't = wte[id]' },
  {
    step: 3,
    label: 'Position table',
    detail: (s) => (positionsLeftOut(s) ? 'not added' : 'p = wpe[i]'),
    off: positionsLeftOut,
  },
];
const AFTER: MapBox[] = [
  { step: 4, label: 'Sum', detail: (s) => (positionsLeftOut(s) ? 'x = t' : 'x = t + p') },
  { step: 5, label: 'Scores', detail: (s) => (naive(s) ? 'ω = x·x' : 'ω = q·k / √dₖ') },
  {
    step: 6,
    label: 'Weights',
    detail: (s) => (naive(s) && !s.causal ? 'α = softmax(ω)' : 'α = softmax, masked'),
  },
  { step: 7, label: 'Context', detail: (s) => (naive(s) ? 'z = Σ α·x' : 'z = Σ α·v') },
];

function subscribe(onChange: () => void): () => void {
  if (typeof window === 'undefined' || !window.matchMedia) return () => {};
  const query = window.matchMedia(NARROW);
  query.addEventListener('change', onChange);
  return () => query.removeEventListener('change', onChange);
}
const isNarrow = () => typeof window !== 'undefined' && !!window.matchMedia?.(NARROW).matches;

interface StepMapProps {
  /** The step on screen, 1..7. */
  step: number;
  /** The toggles the boxes' formulas follow. */
  settings: MapSettings;
  /** Opens a step. */
  onOpen: (step: number) => void;
}

function Box({ box, step, settings, onOpen }: { box: MapBox } & StepMapProps) {
  const off = box.off?.(settings) ?? false;
  return (
    <button
      type="button"
      className={`map-box${off ? ' off' : ''}`}
      aria-current={box.step === step ? 'step' : undefined}
      onClick={() => onOpen(box.step)}
    >
      <span className="map-label">{box.label}</span>{' '}
      <span className="map-detail">{box.detail(settings)}</span>
    </button>
  );
}

function MapBody(props: StepMapProps) {
  return (
    <ol className="step-map-flow">
      <li className="map-text">
        <span className="map-box static">Your text</span>
      </li>
      <li>
        <Box box={TOKENS} {...props} />
      </li>
      <li className="map-tables">
        {TABLES.map((box) => (
          <Box key={box.step} box={box} {...props} />
        ))}
      </li>
      {AFTER.map((box) => (
        <li key={box.step}>
          <Box box={box} {...props} />
        </li>
      ))}
    </ol>
  );
}

export function StepMap(props: StepMapProps) {
  const narrow = useSyncExternalStore(subscribe, isNarrow, () => false);
  const current = [TOKENS, ...TABLES, ...AFTER].find((box) => box.step === props.step);
  if (!narrow) {
    return (
      <nav className="step-map" aria-label="Map of the steps" data-testid="step-map">
        <MapBody {...props} />
      </nav>
    );
  }
  return (
    <details className="step-map folded" data-testid="step-map">
      <summary>Map of the steps{current ? `: you are at ${current.label.toLowerCase()}` : ''}</summary>
      <nav aria-label="Map of the steps">
        <MapBody {...props} />
      </nav>
    </details>
  );
}
