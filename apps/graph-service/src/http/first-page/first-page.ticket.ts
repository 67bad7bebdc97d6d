import { IncomingMessage } from 'node:http';
import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { UserId } from '@graph/domain';
import { FirstPageKind } from './first-page.routes';

/** The lists whose first page is kept rendered. */
export interface FirstPageList {
  kind: FirstPageKind;
  userId: UserId;
}

/** Handed out by a lookup that missed; lets the rendering made after it be stored (once, if still current). */
export interface FirstPageTicket {
  readonly list: FirstPageList;
  readonly limit: number;
  /** The cache's own proof of the versions the lookup saw; opaque outside FirstPageCache. */
  readonly stamp: string;
}

/** Where a lookup's ticket waits for the route that renders the page (on the raw Node request). */
const TICKET = Symbol('firstPageTicket');
type TicketCarrier = IncomingMessage & { [TICKET]?: FirstPageTicket };

/** Leaves the ticket of a missed lookup on the request, for the route. */
export function attachTicket(req: IncomingMessage, ticket: FirstPageTicket): void {
  (req as TicketCarrier)[TICKET] = ticket;
}

/** The ticket FirstPageShortcut left on the request after a miss (undefined when it left none). */
export const FirstPageTicketOf = createParamDecorator((_: unknown, ctx: ExecutionContext): FirstPageTicket | undefined => {
  const req = ctx.switchToHttp().getRequest<TicketCarrier & { raw?: TicketCarrier }>();
  return (req.raw ?? req)[TICKET];
});
