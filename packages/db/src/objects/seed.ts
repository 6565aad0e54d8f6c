import { literal } from './sql-text';
/** The category tree's top level, as in production. */
export const seedCategories = [
  { slug: 'electronics', name: 'Electronics' },
  { slug: 'fashion', name: 'Fashion' },
  { slug: 'home-garden', name: 'Home & Garden' },
  { slug: 'books-media', name: 'Books & Media' },
  { slug: 'health-beauty', name: 'Health & Beauty' },
  { slug: 'sports-outdoors', name: 'Sports & Outdoors' },
  { slug: 'food-drink', name: 'Food & Drink' },
  { slug: 'toys-games', name: 'Toys & Games' },
  { slug: 'art-crafts', name: 'Art & Crafts' },
  { slug: 'experiences', name: 'Experiences' },
] as const;

export const seedCategoriesStatement = `INSERT INTO public.categories (name, slug, sort_order) VALUES
${seedCategories.map((c, i) => `  (${literal(c.name)}, ${literal(c.slug)}, ${i + 1})`).join(',\n')}
ON CONFLICT (slug) DO NOTHING;`;
