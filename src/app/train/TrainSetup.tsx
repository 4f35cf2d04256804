// What to train on and how large a model: the built-in English sample, the generated stories, or text the
// user pastes or drops in as a file; and one of the model-size presets.

import type { DragEvent } from 'react';
import { TRAIN_PRESETS } from '../../train/train-presets';

export interface SetupChoice {
  corpus: 'english' | 'stories' | 'text';
  preset: string;
  /** The pasted or dropped text (corpus 'text'). */
  text: string;
  /** The dropped file's name, or ''. */
  name: string;
}

interface TrainSetupProps {
  /** The current choice. */
  choice: SetupChoice;
  /** Called with the whole new choice. */
  onChange: (choice: SetupChoice) => void;
  /** While a run exists, its text and size cannot change (reset first). */
  disabled: boolean;
}

const CORPORA = [
  { id: 'english', label: 'English sample', note: '300 KB of the Brown Corpus (1961 American English)' },
  { id: 'stories', label: 'Stories', note: 'short generated stories: “the fat cat sat on the mat.”' },
  { id: 'text', label: 'Your text', note: 'paste it, or drop or choose a text file' },
] as const;

/** A new preset; the Induction preset also picks the Stories, the text it was measured on (any other stays
 * choosable after). */
const withPreset = (choice: SetupChoice, preset: string): SetupChoice =>
  preset === 'induction' && choice.corpus !== 'text'
    ? { ...choice, preset, corpus: 'stories' }
    : { ...choice, preset };

export function TrainSetup({ choice, onChange, disabled }: TrainSetupProps) {
  const preset = TRAIN_PRESETS.find((p) => p.id === choice.preset) ?? TRAIN_PRESETS[0];
  const readFile = async (file: File | undefined) => {
    if (file) onChange({ ...choice, corpus: 'text', text: await file.text(), name: file.name });
  };
  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    if (!disabled) void readFile(event.dataTransfer.files[0]);
  };
  return (
    <div className="train-setup">
      <fieldset className="detector-kinds" disabled={disabled}>
        <legend>Text to train on</legend>
        {CORPORA.map((c) => (
          <label key={c.id} className={choice.corpus === c.id ? 'on' : ''} title={c.note}>
            <input
              type="radio"
              name="train-corpus"
              value={c.id}
              checked={choice.corpus === c.id}
              onChange={() => onChange({ ...choice, corpus: c.id })}
            />
            {c.label}
          </label>
        ))}
      </fieldset>
      <p className="hint">{CORPORA.find((c) => c.id === choice.corpus)!.note}.</p>
      {choice.corpus === 'text' && (
        <div className="train-text" onDragOver={(e) => e.preventDefault()} onDrop={onDrop}>
          <label htmlFor="train-text">Your text {choice.name && `(from ${choice.name})`}</label>
          <textarea
            id="train-text"
            rows={4}
            value={choice.text}
            disabled={disabled}
            placeholder="Paste text here, or drop a .txt file on this box. The last tenth is held out."
            onChange={(e) => onChange({ ...choice, text: e.target.value, name: '' })}
          />
          <label className="file">
            Or choose a text file
            <input
              type="file"
              accept=".txt,text/plain"
              disabled={disabled}
              data-testid="train-file"
              onChange={(e) => void readFile(e.target.files?.[0])}
            />
          </label>
        </div>
      )}
      <label htmlFor="train-preset">Model size</label>
      <select
        id="train-preset"
        value={preset.id}
        disabled={disabled}
        onChange={(e) => onChange(withPreset(choice, e.target.value))}
      >
        {TRAIN_PRESETS.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </select>
      <p className="hint">
        {preset.note} Batches of {preset.batch} × {preset.seq} tokens, {preset.steps.toLocaleString('en')}{' '}
        steps, a snapshot every {preset.snapshotEvery}.
        {preset.measuredMinutes !== undefined &&
          ` Measured: the whole run took ${preset.measuredMinutes} minutes on the CPU path (2 WebAssembly threads) of a busy 2-core machine; a GPU is faster.`}{' '}
        Once it runs, the status line says how long the whole run takes at the speed measured here.
      </p>
    </div>
  );
}
