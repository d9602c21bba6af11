import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fromRoot, ROOT } from '../../support/paths';

/** README.md and every page under docs/: the project's documentation. */
export function documentationFiles(): string[] {
  const pages = readdirSync(fromRoot('docs'), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => fromRoot('docs', name));
  return [fromRoot('README.md'), ...pages.sort()];
}

/** Markdown without fenced code blocks, where `#` starts no heading and `[x](y)` is no link. */
const withoutFences = (markdown: string): string => markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');

/** Markdown without fenced code blocks and inline code spans. */
const proseOf = (markdown: string): string => withoutFences(markdown).replace(/`[^`\n]*`/g, '');

/** The targets of every inline link and image (`[text](target)`, `![alt](target)`) and reference definition. */
export function linkTargets(markdown: string): string[] {
  const prose = proseOf(markdown);
  const inline = [...prose.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
  const references = [...prose.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/gm)].map((m) => m[1]);
  return [...inline, ...references];
}

/** GitHub's anchor for each heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const [, text] of withoutFences(markdown).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const plain = text.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/[*`]/g, '');
    const slug = plain
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** Every relative link of a markdown file that names no existing file, or no heading of it. */
export function brokenLinks(file: string, markdown: string = readFileSync(file, 'utf8')): string[] {
  const broken: string[] = [];
  for (const target of linkTargets(markdown)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: — not ours to check offline
    const [path, anchor] = target.split('#', 2) as [string, string | undefined];
    const resolved = path === '' ? file : resolve(dirname(file), decodeURIComponent(path));
    const where = `${relative(ROOT, file)}: ${target}`;
    if (path !== '' && !existsSync(resolved)) {
      broken.push(`${where} (no file ${relative(ROOT, resolved)})`);
      continue;
    }
    const page = path === '' ? markdown : resolved.endsWith('.md') ? readFileSync(resolved, 'utf8') : undefined;
    if (anchor && page !== undefined && !headingAnchors(page).has(anchor)) {
      broken.push(`${where} (no heading #${anchor} in ${relative(ROOT, resolved)})`);
    }
  }
  return broken;
}

export const readRoot = (...parts: string[]): string => readFileSync(join(ROOT, ...parts), 'utf8');
