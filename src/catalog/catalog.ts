import { readFileSync } from 'node:fs';
import { z } from 'zod';

const slug = z.string().regex(/^[a-z0-9_-]+$/i, 'ids are letters, digits, "_" or "-"');

const catalogSchema = z
  .object({
    /** Tier id (`sumo_product_tier_id`, or a direct tier such as `pro`) → what it grants per unit. */
    tiers: z.record(slug, z.object({ plan: z.string().min(1), seats: z.number().int().positive(), features: z.array(slug) })),
    /** Direct Stripe price id or price lookup key → tier id. */
    prices: z.record(z.string().min(1), slug).default({}),
    /** Add-on id (an element of `sumo_addons`) → extra features. */
    addons: z.record(slug, z.object({ features: z.array(slug).min(1) })).default({}),
  })
  .superRefine((catalog, ctx) => {
    for (const [price, tier] of Object.entries(catalog.prices)) {
      if (!catalog.tiers[tier]) ctx.addIssue({ code: 'custom', path: ['prices', price], message: `unknown tier "${tier}"` });
    }
  });

export type CatalogData = z.input<typeof catalogSchema>;
export type Tier = { id: string; plan: string; seats: number; features: string[] };

/** The checked-in tier catalogue (config/catalog.json): what each tier and add-on grants. */
export class Catalog {
  private constructor(private readonly data: z.output<typeof catalogSchema>) {}

  static fromData(data: CatalogData): Catalog {
    const parsed = catalogSchema.safeParse(data);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new Error(`Invalid tier catalogue: ${problems}`);
    }
    return new Catalog(parsed.data);
  }

  static fromFile(path: string): Catalog {
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`Cannot read tier catalogue ${path}: ${(err as Error).message}`);
    }
    return Catalog.fromData(data as CatalogData);
  }

  tier(id: string): Tier | undefined {
    const tier = this.lookup(this.data.tiers, id);
    return tier && { id, ...tier };
  }

  /** The tier a direct Stripe price maps to, by price id first, then by lookup key. */
  tierForPrice(price: { id: string; lookupKey: string | null }): Tier | undefined {
    const tierId =
      this.lookup(this.data.prices, price.id) ?? (price.lookupKey ? this.lookup(this.data.prices, price.lookupKey) : undefined);
    return tierId ? this.tier(tierId) : undefined;
  }

  addonFeatures(id: string): string[] | undefined {
    return this.lookup(this.data.addons, id)?.features;
  }

  /** What a tier with these add-ons grants: the tier's features and each add-on's, once each. */
  features(tier: Tier, addons: string[]): string[] {
    return [...new Set([...tier.features, ...addons.flatMap((a) => this.addonFeatures(a) ?? [])])];
  }

  addonIds(): string[] {
    return Object.keys(this.data.addons);
  }

  /** Own keys only: "constructor" or "__proto__" in metadata must not find anything. */
  private lookup<T>(table: Record<string, T>, key: string): T | undefined {
    return Object.hasOwn(table, key) ? table[key] : undefined;
  }
}
