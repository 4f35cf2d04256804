// The step list with back and next buttons. The arrow keys move between steps too, unless focus is in a text
// box, a picker or a matrix (which use the arrows themselves). Each button's accessible name starts with the
// words it shows (WCAG 2.5.3), so speech-input users can say what they see. An arrow key pressed on a step
// button takes the focus along to the new step's button, so the next Tab or Enter starts from there.

import { useEffect, useRef } from 'react';
import { STEPS } from '../steps';
import { useAppStore } from '../store/store';

const OWNS_ARROWS = 'input, textarea, select, [data-arrow-keys], [role="slider"]';

export function StepNav() {
  const step = useAppStore((s) => s.settings.step);
  const set = useAppStore((s) => s.set);
  const go = (n: number) => set({ step: Math.min(STEPS.length, Math.max(1, n)) });
  const nav = useRef<HTMLElement>(null);
  /** Set by an arrow key pressed inside the nav: once the step has changed, its button takes the focus. */
  const focusFollows = useRef(false);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target as Element | null;
      if (target?.closest?.(OWNS_ARROWS)) return;
      const current = useAppStore.getState().settings.step;
      if (event.key === 'ArrowRight' || event.key === 'ArrowLeft')
        focusFollows.current = !!target && !!nav.current?.contains(target);
      if (event.key === 'ArrowRight') set({ step: Math.min(STEPS.length, current + 1) });
      else if (event.key === 'ArrowLeft') set({ step: Math.max(1, current - 1) });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [set]);

  useEffect(() => {
    if (!focusFollows.current) return;
    focusFollows.current = false;
    nav.current?.querySelector<HTMLButtonElement>('[aria-current="step"]')?.focus();
  }, [step]);

  return (
    <nav className="step-nav" aria-label="Steps" ref={nav}>
      <button
        type="button"
        onClick={() => go(step - 1)}
        disabled={step === 1}
        aria-label="Back to the previous step"
      >
        ← <span className="word">Back</span>
      </button>
      <ol>
        {STEPS.map((s) => (
          <li key={s.number}>
            <button
              type="button"
              aria-label={`${s.number} ${s.title}`}
              aria-current={s.number === step ? 'step' : undefined}
              onClick={() => go(s.number)}
            >
              {/* The name keeps the title where narrow screens hide it; the space keeps "1" and the title
                  two words for tools that read the visible text. */}
              <span className="num">{s.number}</span> <span className="label">{s.title}</span>
            </button>
          </li>
        ))}
      </ol>
      <button
        type="button"
        onClick={() => go(step + 1)}
        disabled={step === STEPS.length}
        aria-label="Next step"
      >
        <span className="word">Next</span> →
      </button>
    </nav>
  );
}
