export {
  createCatalogItem,
  setCatalogPrice,
  listCatalogItems,
  getCatalogItem,
  findCatalogItems,
  loadPriceBook,
  type CatalogItemInput,
  type CatalogItemWithPrices,
} from './catalog.ts';
export {
  PriceBook,
  RECURRING_CHARGE_TYPES,
  type CatalogItem,
  type ChargeType,
  type PriceEntry,
} from './domain/price-book.ts';
export { catalogRoutes } from './http.ts';
