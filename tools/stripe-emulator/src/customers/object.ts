/**
 * The customer object as Stripe serialises it (API 2020+ shape, no expansions). Objects are
 * never mutated after creation: an update builds a new one, so events can keep a reference to
 * the exact state they describe without copying.
 */
export type Metadata = Record<string, string>;

export interface Address {
  city: string | null;
  country: string | null;
  line1: string | null;
  line2: string | null;
  postal_code: string | null;
  state: string | null;
}

export interface Shipping {
  address: Address;
  name: string;
  phone: string | null;
}

export type TaxExempt = 'none' | 'exempt' | 'reverse';

export interface Customer {
  id: string;
  object: 'customer';
  address: Address | null;
  balance: number;
  created: number;
  currency: string | null;
  default_source: string | null;
  delinquent: boolean;
  description: string | null;
  discount: null;
  email: string | null;
  invoice_prefix: string;
  invoice_settings: {
    custom_fields: null;
    default_payment_method: null;
    footer: null;
    rendering_options: null;
  };
  livemode: false;
  metadata: Metadata;
  name: string | null;
  next_invoice_sequence: number;
  phone: string | null;
  preferred_locales: string[];
  shipping: Shipping | null;
  tax_exempt: TaxExempt;
  test_clock: null;
}

export type DeletedCustomerSnapshot = Customer & { deleted: true };

export interface DeletedCustomer {
  id: string;
  object: 'customer';
  deleted: true;
}

/** The fields a create/update request can set. */
export interface CustomerFields {
  address: Address | null;
  balance: number;
  description: string | null;
  email: string | null;
  metadata: Metadata;
  name: string | null;
  phone: string | null;
  preferred_locales: string[];
  shipping: Shipping | null;
  tax_exempt: TaxExempt;
}

// Shared because it never changes for emulated customers; saves memory on 100k-customer seeds.
const INVOICE_SETTINGS: Customer['invoice_settings'] = Object.freeze({
  custom_fields: null,
  default_payment_method: null,
  footer: null,
  rendering_options: null,
});

// Frozen and shared by every customer that never set them: objects are replaced, never
// mutated, so sharing is safe and a stray mutation fails loudly instead of leaking.
export const DEFAULT_FIELDS: Readonly<CustomerFields> = Object.freeze({
  address: null,
  balance: 0,
  description: null,
  email: null,
  metadata: Object.freeze({}) as Metadata,
  name: null,
  phone: null,
  preferred_locales: Object.freeze([]) as unknown as string[],
  shipping: null,
  tax_exempt: 'none',
});

export function buildCustomer(id: string, created: number, invoicePrefix: string, fields: CustomerFields): Customer {
  // Key order mirrors Stripe's JSON so raw payloads look familiar when diffed.
  return {
    id,
    object: 'customer',
    address: fields.address,
    balance: fields.balance,
    created,
    currency: null,
    default_source: null,
    delinquent: false,
    description: fields.description,
    discount: null,
    email: fields.email,
    invoice_prefix: invoicePrefix,
    invoice_settings: INVOICE_SETTINGS,
    livemode: false,
    metadata: fields.metadata,
    name: fields.name,
    next_invoice_sequence: 1,
    phone: fields.phone,
    preferred_locales: fields.preferred_locales,
    shipping: fields.shipping,
    tax_exempt: fields.tax_exempt,
    test_clock: null,
  };
}

export function fieldsOf(customer: Customer): CustomerFields {
  return {
    address: customer.address,
    balance: customer.balance,
    description: customer.description,
    email: customer.email,
    metadata: customer.metadata,
    name: customer.name,
    phone: customer.phone,
    preferred_locales: customer.preferred_locales,
    shipping: customer.shipping,
    tax_exempt: customer.tax_exempt,
  };
}

export const deletedStub = (id: string): DeletedCustomer => ({ id, object: 'customer', deleted: true });
