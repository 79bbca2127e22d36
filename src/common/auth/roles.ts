import { SetMetadata } from '@nestjs/common';
import { Role, ROLES } from '../../config/app-config';

export const IS_PUBLIC = 'auth:public';
export const MIN_ROLE = 'auth:minRole';
export const IS_INTERNAL = 'auth:internal';

/** No credential needed (health, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
/** Needs at least this role; without it, reads need `viewer` and writes need `operator`. */
export const MinRole = (role: Role) => SetMetadata(MIN_ROLE, role);
/** Called by internal services with INTERNAL_TOKEN, never by user tokens. */
export const Internal = () => SetMetadata(IS_INTERNAL, true);

export const roleRank = (role: Role): number => ROLES.indexOf(role);

export interface Principal {
  subject: string;
  role: Role;
}
