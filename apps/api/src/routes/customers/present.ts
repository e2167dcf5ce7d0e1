import { normalAddress, type Customer, type CustomerWithMappings, type ExternalMapping } from '@cs/domain';

export function presentCustomer(c: Customer) {
  return {
    id: c.id,
    name: c.name,
    email: c.email,
    phone: c.phone,
    address: normalAddress(c.address),
    version: c.version,
    created_at: c.createdAt.toISOString(),
    updated_at: c.updatedAt.toISOString(),
  };
}

export function presentCustomerDetail({ customer, mappings }: CustomerWithMappings) {
  return {
    ...presentCustomer(customer),
    external_mappings: mappings.map(presentMapping),
  };
}

export function presentMapping(m: ExternalMapping) {
  return {
    id: m.id,
    external_system: m.externalSystem,
    external_object_type: m.externalObjectType,
    external_id: m.externalId,
    created_at: m.createdAt.toISOString(),
  };
}
