// Escaping for every text the postmortem exports put into HTML, SVG, Markdown and CSV. Called
// by markdown.ts, html.ts, svg.ts and csv.ts; all user-written text (annotation author and
// text, trace names, device names from the trace file) goes through one of these.
// Markdown is escaped so that the text renders as itself: no raw HTML, links or emphasis.

/** Text and attribute values in HTML/SVG (quotes too, so the result is safe in either). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * Inline Markdown: HTML-significant characters as entities; the marks that open emphasis,
 * code, links, images, table cells, math, mentions or close a heading backslash-escaped; line
 * breaks folded to spaces, so the text never starts a block (heading, list, quote) of its own.
 * Callers always put the result after a prefix (bullet, cell, label), never at a line start.
 */
export function escapeMarkdown(text: string): string {
  return (
    text
      .replace(/\r\n?|\n/g, ' ')
      .replace(/[\\`*_[\]|~#$!@]/g, (c) => `\\${c}`)
      // After the backslashes, so the entities' own '#' stays unescaped.
      .replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)
  );
}

/** One CSV field (RFC 4180): quoted when it holds a comma, quote, CR or LF, or edge spaces. */
export function csvField(value: string | number | bigint | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'string') return String(value);
  // A text cell that starts like a formula would run in a spreadsheet; a leading ' keeps it text.
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(values: readonly (string | number | bigint | boolean | null | undefined)[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}
