export {
  createContract,
  listContracts,
  contractOf,
  contractsOf,
  getContract,
  billingStartFor,
  type Contract,
  type CreateContractInput,
} from './contracts.ts';
export {
  addInventory,
  removeInventory,
  listInventory,
  inventoryOf,
  callingInventoryOf,
  type CallingItem,
  WHOLE_HISTORY,
  inWindow,
  type InventoryItem,
  type AddInventoryInput,
} from './inventory.ts';
export { inventoryRoutes } from './http.ts';
export { setServiceState, type ServiceState } from './service-state.ts';
