export { inventory, type TableInventory } from './inventory';
export {
  type CatalogColumn,
  type CatalogForeignKey,
  type CatalogIndex,
  type CatalogPolicy,
  type CatalogTable,
  type CatalogTrigger,
  readCatalog,
  type SchemaRef,
} from './read';
