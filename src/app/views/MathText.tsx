// Text with formula subscripts written the way a page sets them: "W_q" becomes W with a lowered q. Unicode has
// no subscript q, O, H or T, so the strings keep TeX's underscore and this component turns it into <sub>.

import { Fragment, type ReactNode } from 'react';

/** A letter, digit or closing bracket, then _x, _word or _{anything}. */
const SUBSCRIPT = /(?<=[\p{L}\p{N})\]⁾])_(\{[^}]*\}|[\p{L}\p{N}]+)/gu;

/** `text` split into plain runs and <sub> elements. */
export function withSubscripts(text: string): ReactNode[] {
  const parts: ReactNode[] = [];
  let last = 0;
  for (const match of text.matchAll(SUBSCRIPT)) {
    parts.push(text.slice(last, match.index));
    const body = match[1].startsWith('{') ? match[1].slice(1, -1) : match[1];
    parts.push(<sub key={match.index}>{body}</sub>);
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts.filter((part) => part !== '');
}

interface MathTextProps {
  /** Plain text in which x_i marks a subscript. */
  text: string;
}

export function MathText({ text }: MathTextProps) {
  return <Fragment>{withSubscripts(text)}</Fragment>;
}
