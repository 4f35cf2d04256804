// The current step: its title and book section, the plain-language explanation, the formula and the drawing.

import { STEPS } from './steps';
import { useAppStore } from './store/store';
import { useViewSettings } from './store/view-settings';
import { MathText } from './views/MathText';

export function StepView() {
  const trace = useAppStore((s) => s.trace);
  const inputError = useAppStore((s) => s.inputError);
  const settings = useViewSettings();
  const step = STEPS[settings.step - 1];
  // A link whose text cannot be shown (?text=) has no earlier view to keep: say what to do, not "computing".
  if (!trace && inputError) {
    return (
      <article className="step empty" data-testid="no-view">
        <p>Nothing to show yet: type a sentence above, and its steps appear here.</p>
      </article>
    );
  }
  if (!trace) {
    return (
      <article className="step loading" aria-busy="true">
        <p>Computing the first view…</p>
      </article>
    );
  }
  const ctx = { trace, settings };
  return (
    <article className="step" aria-labelledby="step-title" data-step={step.number}>
      <header>
        <p className="step-kicker">
          Step {step.number} of {STEPS.length} · <span className="section">{step.section(ctx)}</span>
          {settings.step >= 5 && (
            <span className="mode-tag">
              {settings.mode === 'naive'
                ? 'naive attention'
                : trace.source === 'book'
                  ? 'trainable, the book’s single head'
                  : `trainable, layer ${trace.layer + 1}, head ${Math.min(settings.head, trace.shape.nHead - 1) + 1}`}
            </span>
          )}
        </p>
        {/* Focusable from script only (tabindex -1): the skip link and a head detector cell move focus here. */}
        <h2 id="step-title" tabIndex={-1}>
          {step.heading?.(ctx) ?? step.title}
        </h2>
      </header>
      <div className="explain">
        {step.sentences(ctx).map((sentence) => (
          <p key={sentence}>
            <MathText text={sentence} />
          </p>
        ))}
      </div>
      {/* A paragraph cannot carry an aria-label (screen readers ignore it), so the word is hidden text. */}
      <p className="formula">
        <span className="visually-hidden">Formula: </span>
        <MathText text={step.formula(ctx)} />
      </p>
      <step.Body trace={trace} settings={settings} />
    </article>
  );
}
