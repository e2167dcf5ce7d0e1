import { canTransition, dueDateProblem, INVOICE_STATUSES, invoiceCurrency, invoiceLines, isTerminal, linesTotal, MAX_UNIT_AMOUNT, type InvoiceStatus } from './rules';

describe('canTransition', () => {
  it('allows exactly the lifecycle draft → open → paid | void | uncollectible, uncollectible → paid | void', () => {
    const allowed = INVOICE_STATUSES.flatMap((from) => INVOICE_STATUSES.filter((to) => canTransition(from, to)).map((to) => `${from}→${to}`));
    expect(allowed).toEqual(['draft→open', 'open→paid', 'open→void', 'open→uncollectible', 'uncollectible→paid', 'uncollectible→void']);
  });

  it.each<InvoiceStatus>(['paid', 'void'])('%s is terminal: it never moves again, not even to itself', (s) => {
    expect(isTerminal(s)).toBe(true);
    expect(INVOICE_STATUSES.filter((to) => canTransition(s, to))).toEqual([]);
  });

  it('nothing ever goes back to draft', () => {
    expect(INVOICE_STATUSES.filter((from) => canTransition(from, 'draft'))).toEqual([]);
  });
});

describe('invoiceCurrency', () => {
  it('takes an ISO 4217 code in either case and stores it lower-case, as Stripe does', () => {
    expect(invoiceCurrency.parse(' EUR ')).toBe('eur');
    expect(invoiceCurrency.parse('jpy')).toBe('jpy');
    expect(invoiceCurrency.parse('Xof')).toBe('xof');
  });

  it.each(['xyz', 'HRK', 'XAU', 'XXX', 'eu', 'euro', ''])('refuses %j: three letters are not a currency', (c) => {
    const r = invoiceCurrency.safeParse(c);
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.message)).toEqual(['currency must be an ISO 4217 currency code, e.g. eur or USD']);
  });
});

describe('invoiceLines', () => {
  const line = (quantity: number, unit_amount: number) => ({ description: 'x', quantity, unit_amount });
  const messages = (input: unknown) => invoiceLines.safeParse(input).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`);

  it('totals exactly, in BigInt', () => {
    expect(linesTotal([line(3, 250), line(1, 99)])).toBe(849n);
    expect(linesTotal([])).toBe(0n);
  });

  it('refuses decimals, strings, zero quantities, negative or too large unit amounts, one message per problem', () => {
    expect(messages([line(1.5, 100), { description: ' ', quantity: '2', unit_amount: 10.5 }, line(0, -1), line(1, MAX_UNIT_AMOUNT + 1)])).toEqual([
      '0.quantity: quantity must be an integer',
      '1.description: description must not be blank',
      '1.quantity: quantity must be an integer',
      '1.unit_amount: unit_amount must be an integer of minor units (cents), not a decimal',
      '2.quantity: quantity must be at least 1',
      '2.unit_amount: unit_amount must be at least 0',
      '3.unit_amount: unit_amount must be at most 99999999',
    ]);
  });

  it('refuses a total beyond Number.MAX_SAFE_INTEGER, which no float could hold exactly', () => {
    const big = Array.from({ length: 91 }, () => line(1_000_000, MAX_UNIT_AMOUNT));
    expect(messages(big)).toEqual([': the lines total 9099999909000000 minor units, more than 9007199254740991']);
    expect(messages(big.slice(1))).toBeUndefined();
  });
});

describe('dueDateProblem', () => {
  it('wants a due date exactly for send_invoice', () => {
    expect(dueDateProblem('send_invoice', '2027-01-31')).toBeUndefined();
    expect(dueDateProblem('charge_automatically', null)).toBeUndefined();
    expect(dueDateProblem('send_invoice', null)).toBe('due_date is required when collection_method is send_invoice');
    expect(dueDateProblem('charge_automatically', '2027-01-31')).toBe('due_date must be left out (or null) when collection_method is charge_automatically');
  });
});
