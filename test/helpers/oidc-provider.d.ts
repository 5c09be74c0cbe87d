// oidc-provider ships no types; the OIDC e2e suite only starts it as a local identity provider.
declare module 'oidc-provider';
