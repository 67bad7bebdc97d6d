import { UserId } from '@graph/domain';

/** The signed-in caller, from a verified JWT. */
export interface Caller {
  userId: UserId;
  roles: string[];
  isAdmin: boolean;
}

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  caller?: Caller;
}
