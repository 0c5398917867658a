/** The core (src/domain, src/services, src/ports) never imports an SDK or an adapter. */
const SDKS = '^(node_modules/)?(@slack/bolt|discord\\.js|imapflow|mailparser|nodemailer|drizzle-orm|mysql2|bullmq|ioredis|pino|smtp-server)';
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-sdk',
      comment: 'src/domain, src/services and src/ports must not import an SDK: put it in an adapter.',
      severity: 'error',
      from: { path: '^src/(domain|services|ports)/' },
      to: { path: `${SDKS}|node_modules/(@slack|discord\\.js|imapflow|mailparser|nodemailer|drizzle-orm|mysql2|bullmq|ioredis|pino)` },
    },
    {
      name: 'core-imports-no-adapter',
      comment: 'The core does not know adapters or jobs; main.ts wires them.',
      severity: 'error',
      from: { path: '^src/(domain|services|ports)/' },
      to: { path: '^(adapters|jobs)/' },
    },
    {
      name: 'domain-is-pure',
      comment: 'src/domain holds types and pure rules: no services, no ports.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(services|ports)/' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
