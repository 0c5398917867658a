/** smtp-server's connection class (the package exports its lib/*.js; its types declare only the server). */
declare module 'smtp-server/lib/smtp-connection.js' {
  export const SMTPConnection: { readonly prototype: object };
}
