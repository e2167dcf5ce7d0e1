import { invalidRequest, type StripeApiError } from '../stripe/errors';

/**
 * Stripe's answers to an action on an invoice in the wrong status, as live Stripe words them.
 * Only edits of a finalized invoice's lines carry a `code` (`invoice_not_editable`); the status
 * refusals of finalize, pay, void, mark_uncollectible, send and delete carry none.
 */
export const refuse = {
  notEditable: (): StripeApiError => invalidRequest('Invalid invoice: This invoice is no longer editable', undefined, 'invoice_not_editable'),
  finalizedUpdate: (param: string): StripeApiError => invalidRequest("Finalized invoices can't be updated in this way", param),
  alreadyFinalized: (): StripeApiError => invalidRequest("This invoice is already finalized, you can't re-finalize a non-draft invoice."),
  alreadyPaid: (): StripeApiError => invalidRequest('Invoice is already paid'),
  notOpen: (): StripeApiError => invalidRequest("You can only pass in open invoices. This invoice isn't open."),
  paidNotVoidable: (): StripeApiError => invalidRequest('Invoices with `paid` payments cannot be voided.'),
  alreadyUncollectible: (): StripeApiError => invalidRequest('This invoice has already been marked uncollectible.'),
  cannotSend: (): StripeApiError =>
    invalidRequest('This invoice cannot be sent right now. Please contact us via https://support.stripe.com/contact with details, so we can help.'),
  onlyDeleteDrafts: (): StripeApiError => invalidRequest('You can only delete draft invoices.'),
};
