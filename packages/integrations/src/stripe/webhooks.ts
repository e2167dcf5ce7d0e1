import Stripe from 'stripe';
import { WebhookVerificationError, type NeutralChange, type VerifiedWebhook, type WebhookVerifier } from '../types';
import { HANDLED_EVENTS, stripeEventToChange } from './changes';

/** Stripe webhooks are accepted for 5 minutes after they were signed. */
const SIGNATURE_TOLERANCE_S = 300;

/**
 * Verifies Stripe-Signature on the raw body against any of the configured secrets (several
 * during a rotation). Needs no API key: the webhook gateway holds only the signing secrets.
 */
export class StripeWebhookVerifier implements WebhookVerifier {
  readonly system = 'stripe';
  // The SDK wants a key to construct; verification never uses it.
  private readonly signature = new Stripe('sk_test_signature_verification_only').webhooks.signature!;

  constructor(private readonly secrets: string[]) {}

  handles(eventType: string): boolean {
    return Object.hasOwn(HANDLED_EVENTS, eventType);
  }

  toChange(event: Record<string, unknown>): NeutralChange | null {
    return stripeEventToChange(event);
  }

  verify(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): VerifiedWebhook {
    const header = headers['stripe-signature'];
    if (typeof header !== 'string' || header.length === 0) throw new WebhookVerificationError('missing Stripe-Signature header');
    let lastError = 'no webhook secret configured';
    for (const secret of this.secrets) {
      try {
        this.signature.verifyHeader(rawBody, header, secret, SIGNATURE_TOLERANCE_S);
        return parseEvent(rawBody);
      } catch (err) {
        if (err instanceof WebhookVerificationError) throw err;
        lastError = err instanceof Error ? err.message : String(err);
      }
    }
    throw new WebhookVerificationError(`invalid signature: ${lastError.split('\n')[0]}`);
  }
}

/** A signed body that is not a JSON event is still refused: the signature proves origin, not shape. */
function parseEvent(rawBody: Buffer): VerifiedWebhook {
  let event: unknown;
  try {
    event = JSON.parse(rawBody.toString('utf8'));
  } catch {
    throw new WebhookVerificationError('body is not valid JSON');
  }
  const e = event as { id?: unknown; type?: unknown; created?: unknown; data?: { object?: { id?: unknown } } };
  if (!e || typeof e !== 'object' || typeof e.id !== 'string' || typeof e.type !== 'string' || typeof e.created !== 'number') {
    throw new WebhookVerificationError('body is not a Stripe event');
  }
  const objectId = typeof e.data?.object?.id === 'string' ? e.data.object.id : e.id;
  return { eventId: e.id, eventType: e.type, objectId, created: e.created, event: event as Record<string, unknown> };
}
