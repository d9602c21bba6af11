import { searchAttributes } from '../../../src/contracts';
import { readRoot } from './markdown';

describe('README.md', () => {
  const readme = readRoot('README.md');

  it('is a front door of at most 10 KB with the two commands a newcomer runs', () => {
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(10 * 1024);
    expect(readme).toContain('npm install && npm run dev');
    expect(readme).toContain('npm install && npm test');
  });
});

describe('docs/deployment.md', () => {
  it('lists exactly the search attributes a Temporal namespace must have', () => {
    const block = /<!-- search-attributes -->([\s\S]*?)<!-- \/search-attributes -->/.exec(readRoot('docs', 'deployment.md'))?.[1];
    expect(block).toBeDefined();
    const listed = [...block!.matchAll(/`(\w+)`/g)].map((m) => m[1]).sort();
    expect(listed).toEqual(
      Object.values(searchAttributes)
        .map((key) => key.name)
        .sort(),
    );
  });
});
