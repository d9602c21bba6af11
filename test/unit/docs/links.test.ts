import { fromRoot } from '../../support/paths';
import { brokenLinks, documentationFiles, headingAnchors } from './markdown';

describe('documentation links', () => {
  it('every relative link in README.md and docs/ names a file that exists, and a heading of it when it has an anchor', () => {
    const files = documentationFiles();
    expect(files.length).toBeGreaterThan(5);
    expect(files.flatMap((file) => brokenLinks(file))).toEqual([]);
  });

  it('reports a link to a missing file or a missing heading, and ignores code and web addresses', () => {
    const page = fromRoot('docs', 'page.md');
    const markdown = [
      '# A page',
      '[ok](../README.md) [anchor](checkout.md#rules) [bad anchor](checkout.md#seats) [gone](missing.md) ![img](./nope.png) [here](#a-page) [there](#nowhere)',
      '[web](https://example.com/x.md) `[code](not-a-link.md)`',
      '```',
      '[fenced](also-not-a-link.md)',
      '```',
    ].join('\n');
    expect(brokenLinks(page, markdown)).toEqual([
      'docs/page.md: checkout.md#seats (no heading #seats in docs/checkout.md)',
      'docs/page.md: missing.md (no file docs/missing.md)',
      'docs/page.md: ./nope.png (no file docs/nope.png)',
      'docs/page.md: #nowhere (no heading #nowhere in docs/page.md)',
    ]);
  });

  it("derives a heading's anchor as GitHub does", () => {
    const anchors = headingAnchors(
      '# Lifetime deals: refunds and disputes\n## Stuck means visible: `NeedsAttention`\n## Rules\n## Rules\n',
    );
    expect([...anchors]).toEqual(['lifetime-deals-refunds-and-disputes', 'stuck-means-visible-needsattention', 'rules', 'rules-1']);
  });
});
