export {
  createApiKey,
  authenticateApiKey,
  listApiKeys,
  revokeApiKey,
  STAFF_ROLES,
  type ApiKey,
  type StaffRole,
} from './api-keys.ts';
