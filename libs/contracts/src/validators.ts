import { Transform } from 'class-transformer';
import { registerDecorator, ValidateIf, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { checkDomainName, isValidOutgoingIp, normalizeDomainName } from './domains/domain-name.js';

function simple(name: string, test: (v: unknown) => boolean, message: string) {
  return (options?: ValidationOptions) => (target: object, propertyName: string) =>
    registerDecorator({
      name,
      target: target.constructor,
      propertyName,
      options: { message, ...options },
      validator: { validate: test },
    });
}

/** A usable mail domain; the message says why not (invisible characters, mixed scripts, ...). */
export const IsDomainName = (options?: ValidationOptions) => (target: object, propertyName: string) =>
  registerDecorator({
    name: 'isDomainName',
    target: target.constructor,
    propertyName,
    options: {
      message: (args: ValidationArguments) => {
        // With { each: true } the value is the whole list: explain its first bad entry.
        const values: unknown[] = Array.isArray(args.value) ? args.value : [args.value];
        const problem = values.map(checkDomainName).find((r) => !r.ok);
        return `${args.property} ${problem && !problem.ok ? problem.problem : 'must be a valid domain name such as example.com (IDN allowed)'}`;
      },
      ...options,
    },
    validator: { validate: (v: unknown) => typeof v === 'string' && normalizeDomainName(v) !== null },
  });

export const IsOutgoingIp = simple('isOutgoingIp', isValidOutgoingIp, '$property must be a unicast IPv4 or IPv6 address, or "auto"');

/** Query strings carry "true"/"false"; JSON carries booleans. Anything else stays and fails @IsBoolean. */
export const ToBoolean = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));

/** Query strings carry digits; a non-numeric string stays a string and fails @IsInt. */
export const ToInt = () => Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value));

/** Like @IsOptional, but only an absent field is skipped: an explicit null is validated (and fails). */
export const IsOptionalNotNull = () => ValidateIf((_, value) => value !== undefined);

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/** An RFC 3339 date-time with an explicit offset (no week dates, no date-only forms). */
export const IsRfc3339DateTime = simple(
  'isRfc3339DateTime',
  (v) => typeof v === 'string' && RFC3339.test(v) && Number.isFinite(Date.parse(v)),
  '$property must be an RFC 3339 date-time such as 2027-01-01T00:00:00Z',
);
