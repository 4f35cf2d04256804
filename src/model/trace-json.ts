// The JSON form of a Trace, shared by `npm run trace` and the explorer's export, so both files read alike:
// { config, backend, adapter, ids, tokens, truncated, ablation?, tensors: { NAME: { shape, data } } },
// data row-major; `ablation` names knocked-out heads as people count them: { heads: ["2.5"], mode: "zero" }.

import { formatHeadList, parseHeadList, type Ablation, type AblationMode } from './ablation';
import { configToJson, parseConfig } from './config';
import { checkFinite } from './finite';
import type { Trace } from './trace';

export interface TraceJson {
  config: Record<string, unknown>;
  backend: string;
  /** What ran it: "CPU" or the WebGPU adapter. */
  adapter: string;
  ids: number[];
  tokens: string[];
  truncated: boolean;
  /** Present only for a trace of an ablated model: its heads "layer.head", numbered from 1. */
  ablation?: { heads: string[]; mode: AblationMode };
  tensors: Record<string, { shape: number[]; data: number[] }>;
}

/** Every field but the tensors; the streaming writer for large traces shares it. */
export function traceJsonHeader(trace: Trace, adapter: string): Omit<TraceJson, 'tensors'> {
  return {
    config: configToJson(trace.config),
    backend: trace.backend,
    adapter,
    ids: trace.ids,
    tokens: trace.tokens,
    truncated: trace.truncated,
    ...(trace.ablation ? { ablation: ablationToJson(trace.ablation) } : {}),
  };
}

/** The ablation as the JSON names it: heads numbered from 1, as on the page and in `--ablate`. */
export function ablationToJson(ablation: Ablation): NonNullable<TraceJson['ablation']> {
  return { heads: formatHeadList(ablation.heads).split(','), mode: ablation.mode };
}

/** The JSON form; a trace with NaN or ±Inf is refused, as JSON has no such numbers (they became null). */
export function traceToJson(trace: Trace, adapter: string): TraceJson {
  checkFinite(trace.tensors, 'it cannot be exported');
  const tensors: TraceJson['tensors'] = {};
  for (const [name, tensor] of Object.entries(trace.tensors)) {
    tensors[name] = { shape: tensor.shape, data: Array.from(tensor.data) };
  }
  return { ...traceJsonHeader(trace, adapter), tensors };
}

/** Reads a trace JSON back (used by tests and by anyone comparing exports). */
export function traceFromJson(json: TraceJson): Trace {
  const tensors: Trace['tensors'] = {};
  for (const [name, t] of Object.entries(json.tensors))
    tensors[name] = { shape: t.shape, data: Float32Array.from(t.data) };
  return {
    config: parseConfig(json.config),
    backend: json.backend as Trace['backend'],
    ids: json.ids,
    tokens: json.tokens,
    truncated: json.truncated,
    tensors,
    ...(json.ablation
      ? { ablation: { heads: parseHeadList(json.ablation.heads.join(',')), mode: json.ablation.mode } }
      : {}),
  };
}
