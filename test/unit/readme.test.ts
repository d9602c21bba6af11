import { readFileSync } from 'node:fs';
import { searchAttributes } from '../../src/contracts';
import { fromRoot } from '../support/paths';

const readme = readFileSync(fromRoot('README.md'), 'utf8');

describe('README', () => {
  it('lists exactly the search attributes a Temporal namespace must have', () => {
    const block = /<!-- search-attributes -->([\s\S]*?)<!-- \/search-attributes -->/.exec(readme)?.[1];
    expect(block).toBeDefined();
    const listed = [...block!.matchAll(/`(\w+)`/g)].map((m) => m[1]).sort();
    expect(listed).toEqual(
      Object.values(searchAttributes)
        .map((key) => key.name)
        .sort(),
    );
  });
});
