// Export buttons: the current step's matrix as SVG, PNG or CSV, and the whole trace as JSON (the format of
// `npm run trace`, computed in the worker so the page stays responsive).

import { useState } from 'react';
import { useBridge } from '../bridge-context';
import { download, svgToPng } from '../export/download';
import {
  ablationSuffix,
  exportCaption,
  exportFileBase,
  matrixToCsv,
  matrixToSvg,
  primaryView,
  tokensToCsv,
} from '../export/files';
import { useAppStore } from '../store/store';
import { useViewSettings } from '../store/view-settings';

export function ExportPanel() {
  const bridge = useBridge();
  const trace = useAppStore((s) => s.trace);
  const settings = useViewSettings();
  const modelLabel = useAppStore((s) => s.model?.label ?? 'model');
  const [message, setMessage] = useState<string | null>(null);
  // The panel stays where it is with nothing to export, so the page does not jump when a first view arrives.
  if (!trace) {
    return (
      <section className="export-panel" aria-label="Export">
        <h2>Export</h2>
        <p className="hint">Nothing to export yet: the exports follow the view once a sentence is shown.</p>
      </section>
    );
  }
  const view = primaryView(trace, settings);
  // A disabled button gives no reason by itself; this sentence is shown and read with both buttons.
  const noPicture = view ? undefined : 'export-no-picture';
  const base = exportFileBase(settings.step, view, trace.ablation);
  const svg = () => (view ? matrixToSvg(view, exportCaption(trace, settings, modelLabel)) : '');
  const run = async (what: string, job: () => Promise<void>) => {
    setMessage(`Preparing ${what}…`);
    try {
      await job();
      setMessage(null);
    } catch (error) {
      setMessage(`The ${what} export failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <section className="export-panel" aria-label="Export">
      <h2>Export</h2>
      <div className="button-row">
        <button
          type="button"
          disabled={!view}
          aria-describedby={noPicture}
          onClick={() => view && download(new Blob([svg()], { type: 'image/svg+xml' }), `${base}.svg`)}
        >
          SVG
        </button>
        <button
          type="button"
          disabled={!view}
          aria-describedby={noPicture}
          onClick={() => view && run('PNG', async () => download(await svgToPng(svg()), `${base}.png`))}
        >
          PNG
        </button>
        <button
          type="button"
          onClick={() =>
            download(
              new Blob([view ? matrixToCsv(view) : tokensToCsv(trace)], { type: 'text/csv' }),
              `${base}.csv`,
            )
          }
        >
          CSV
        </button>
        <button
          type="button"
          disabled={trace.source === 'book'}
          title={
            trace.source === 'book'
              ? 'The book example is not a model run'
              : 'Every tensor of this run, as npm run trace writes it'
          }
          onClick={() =>
            run('trace', async () =>
              download(
                new Blob([await bridge.exportTrace()], { type: 'application/json' }),
                `trace${ablationSuffix(trace.ablation)}.json`,
              ),
            )
          }
        >
          Trace JSON
        </button>
      </div>
      {noPicture && (
        <p className="hint" id={noPicture}>
          Step {settings.step} has no heatmap to export: SVG and PNG start at step 2, and CSV holds the
          tokens.
        </p>
      )}
      {message && (
        <p className="hint" role="status">
          {message}
        </p>
      )}
    </section>
  );
}
