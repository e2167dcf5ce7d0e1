import { LockMode } from '@mikro-orm/core';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import { sameState, syncedState } from './customer-rules';
import type { Address } from './contact-fields';
import { CustomerSchema, type Customer, type ExternalMapping } from './entities';
import { DomainError, isUniqueViolation } from './errors';
import { createdEnvelopeSql, enqueueCustomerChange, type ChangeContext } from './outbox';
import { settleInvoicesOfDeletedCustomer } from './invoices/service';
import { customerOf, listCustomerRows, readCustomer, type CustomerRow } from './customer-reads';
import { prepared } from './sql';

export interface ListQuery {
  skip: number;
  limit: number;
  email?: string | undefined;
}

/** A valid new customer (customerFields' output); phone and address may be left out. */
export interface NewCustomer {
  name: string;
  email: string;
  phone?: string | null | undefined;
  address?: Address | null | undefined;
}

export interface CustomerChanges {
  name?: string | undefined;
  email?: string | undefined;
  phone?: string | null | undefined;
  address?: Address | null | undefined;
}

export interface CustomerWithMappings {
  customer: Customer;
  mappings: ExternalMapping[];
}

const CREATE_SQL = `
  with c as (
    insert into customers (name, email, phone, address, version, created_at, updated_at) values ($1, $2, $3, $4::jsonb, 1, now(), now())
    returning id, name, email, phone, address, version, created_at, updated_at
  ), o as (
    insert into outbox (aggregate_id, event_type, origin, envelope)
    select c.id, 'customer.created', $5::text, ${createdEnvelopeSql('c', '$5::text', '$6::text', '$7::text')}
    from c
  )
  select * from c`;

const emailTaken = (email: string) => new DomainError('email_taken', `a customer with email ${email} already exists`, { email });

/**
 * The catalog's write side. Every accepted change commits together with its outbox row; a write
 * that changes nothing commits nothing (no version bump, no event, so no call to any system).
 */
export class CustomerService {
  constructor(private readonly orm: MikroORM) {}

  /**
   * The hot path, so one prepared statement: the customer row and its outbox row are inserted
   * together (one implicit transaction, one round trip) instead of a unit of work with two flushes.
   * The envelope is the same one enqueueCustomerChange builds.
   */
  async create(input: NewCustomer, ctx: ChangeContext): Promise<Customer> {
    try {
      const [row] = await prepared<CustomerRow>(this.orm.em, 'customer-create', CREATE_SQL, [input.name, input.email, input.phone ?? null, input.address ? JSON.stringify(input.address) : null, ctx.origin, ctx.traceId, ctx.actor ?? null]);
      // A row just inserted: never deleted.
      return customerOf(row!);
    } catch (err) {
      if (isUniqueViolation(err)) throw emailTaken(input.email);
      throw err;
    }
  }

  /**
   * Full replace (PUT) or partial (PATCH): `changes` holds the fields to set; undefined keeps a
   * field, null clears phone or address (PUT passes null for an absent one).
   */
  async update(id: number, changes: CustomerChanges, expectedVersion: number | undefined, ctx: ChangeContext): Promise<Customer> {
    return this.write(async (em) => {
      const customer = await this.lockLive(em, id, expectedVersion);
      const next = {
        name: changes.name ?? customer.name,
        email: changes.email ?? customer.email,
        phone: changes.phone === undefined ? customer.phone : changes.phone,
        address: changes.address === undefined ? customer.address : changes.address,
      };
      if (sameState(syncedState(next), syncedState(customer))) return customer;
      em.assign(customer, { ...next, updatedAt: new Date() });
      await em.flush(); // bumps the version (optimistic-lock column)
      enqueueCustomerChange(em, 'customer.updated', customer, ctx);
      return customer;
    }, changes.email);
  }

  /**
   * Deletion leaves a tombstone so that the deletion itself can still be synced. A customer who
   * still owes an open invoice is not deleted; its drafts go with it (docs/invoices.md).
   */
  async remove(id: number, expectedVersion: number | undefined, ctx: ChangeContext): Promise<void> {
    await this.write(async (em) => {
      const customer = await this.lockLive(em, id, expectedVersion);
      await settleInvoicesOfDeletedCustomer(em, id, ctx);
      const now = new Date();
      em.assign(customer, { deletedAt: now, updatedAt: now });
      await em.flush();
      enqueueCustomerChange(em, 'customer.deleted', customer, ctx);
    });
  }

  async get(id: number): Promise<CustomerWithMappings> {
    const found = await readCustomer(this.orm.em, id);
    if (!found) throw notFound(id);
    return found;
  }

  list(query: ListQuery): Promise<Customer[]> {
    return listCustomerRows(this.orm.em, query);
  }

  private async lockLive(em: EntityManager, id: number, expectedVersion: number | undefined): Promise<Customer> {
    const customer = await em.findOne(CustomerSchema, { id, deletedAt: null }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!customer) throw notFound(id);
    if (expectedVersion !== undefined && expectedVersion !== customer.version) {
      throw new DomainError('version_conflict', `customer ${id} is at version ${customer.version}, not ${expectedVersion}`, {
        current_version: customer.version,
      });
    }
    return customer;
  }

  private async write<T>(work: (em: EntityManager) => Promise<T>, email?: string): Promise<T> {
    try {
      return await this.orm.em.fork().transactional(work);
    } catch (err) {
      if (isUniqueViolation(err)) throw emailTaken(email ?? '');
      throw err;
    }
  }
}

function notFound(id: number) {
  return new DomainError('customer_not_found', `customer ${id} not found`, { id });
}
