// The knock-out switch under a head's tile in the all-heads grid: pressed while the head is knocked out.
// A button of its own beside the tile, since the tile is itself the button that selects the head.

import { useAppStore } from '../store/store';
import { toggleKnockOut } from './ablation-actions';
import { isKnockedOut } from './ablation-settings';
import './ablation.css';

interface KnockOutButtonProps {
  /** The head's layer, from 0. */
  layer: number;
  /** The head, from 0. */
  head: number;
}

export function KnockOutButton({ layer, head }: KnockOutButtonProps) {
  const out = useAppStore((s) => isKnockedOut(s.settings.ablate, layer, head));
  return (
    <button
      type="button"
      className={`knock-out${out ? ' on' : ''}`}
      aria-pressed={out}
      aria-label={`${out ? 'Knocked out' : 'Knock out'}: head ${head + 1} of layer ${layer + 1}`}
      onClick={() => toggleKnockOut(layer, head)}
      data-testid={`knock-out-${layer + 1}.${head + 1}`}
    >
      {out ? 'Knocked out' : 'Knock out'}
    </button>
  );
}
