/**
 * The part of Postmark's template language (Mustachio) the service's templates use, so the local
 * Postmark renders what a buyer would see: `{{a.b}}` (HTML-escaped in HTML bodies), `{{{raw}}}`,
 * `{{#x}}…{{/x}}` (a list repeats, an object or a non-empty value becomes the scope, a falsy value
 * renders nothing), `{{^x}}…{{/x}}`, `{{#each list}}…{{/each}}`, `{{.}}` and `../` to reach the
 * scope above. As in Mustachio, a name inside a section is looked up in the section's scope only.
 */

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'value'; path: string; raw: boolean }
  | { kind: 'section'; path: string; inverted: boolean; each: boolean; children: Node[] };

export class TemplateSyntaxError extends Error {}

const TAG = /\{\{\{\s*([^}]+?)\s*\}\}\}|\{\{\s*([#^/!]?)\s*(each\s+)?([^}]*?)\s*\}\}/g;

export function parseTemplate(source: string): Node[] {
  const root: Node[] = [];
  const stack: Array<{ path: string; children: Node[] }> = [{ path: '', children: root }];
  let last = 0;
  for (const match of source.matchAll(TAG)) {
    const top = stack[stack.length - 1];
    if (match.index > last) top.children.push({ kind: 'text', text: source.slice(last, match.index) });
    last = match.index + match[0].length;
    const [, raw, sigil, each, name] = match;
    if (raw !== undefined) {
      top.children.push({ kind: 'value', path: raw, raw: true });
    } else if (sigil === '!') {
      continue;
    } else if (sigil === '#' || sigil === '^') {
      const section: Node = { kind: 'section', path: name, inverted: sigil === '^', each: Boolean(each), children: [] };
      top.children.push(section);
      // `{{#each list}}` closes with `{{/each}}`, `{{#x}}` with `{{/x}}`.
      stack.push({ path: each ? 'each' : name, children: section.children });
    } else if (sigil === '/') {
      if (stack.length === 1 || top.path !== name)
        throw new TemplateSyntaxError(`{{/${name}}} closes ${stack.length === 1 ? 'nothing' : `{{#${top.path}}}`}`);
      stack.pop();
    } else {
      if (!name) throw new TemplateSyntaxError('an empty {{ }} tag');
      top.children.push({ kind: 'value', path: name, raw: false });
    }
  }
  if (stack.length > 1) throw new TemplateSyntaxError(`{{#${stack[stack.length - 1].path}}} is never closed`);
  if (last < source.length) root.push({ kind: 'text', text: source.slice(last) });
  return root;
}

/** Renders `source` with `model`; `html` escapes values as Postmark does in an HtmlBody. */
export function renderTemplate(source: string, model: unknown, { html }: { html: boolean }): string {
  return renderNodes(parseTemplate(source), [model], html);
}

function renderNodes(nodes: Node[], scopes: unknown[], html: boolean): string {
  let out = '';
  for (const node of nodes) {
    if (node.kind === 'text') out += node.text;
    else if (node.kind === 'value') {
      const value = lookup(scopes, node.path);
      const text = typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
      out += html && !node.raw ? escapeHtml(text) : text;
    } else {
      const value = lookup(scopes, node.path);
      const truthy = Array.isArray(value) ? value.length > 0 : Boolean(value);
      if (node.inverted) {
        if (!truthy) out += renderNodes(node.children, scopes, html);
      } else if (Array.isArray(value)) {
        for (const item of value) out += renderNodes(node.children, [...scopes, item], html);
      } else if (truthy && !node.each) {
        out += renderNodes(node.children, [...scopes, value], html);
      }
    }
  }
  return out;
}

function lookup(scopes: unknown[], path: string): unknown {
  let depth = scopes.length - 1;
  let rest = path;
  while (rest.startsWith('../')) {
    depth = Math.max(0, depth - 1);
    rest = rest.slice(3);
  }
  let value: unknown = scopes[depth];
  if (rest === '.' || rest === 'this') return value;
  for (const key of rest.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
