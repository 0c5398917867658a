/**
 * The layout's rules (README, "Layout"). The core (src/domain, src/services, src/ports) never imports an
 * SDK or an adapter; the roots (src/main.ts, src/roles/) are the only wiring, and only the CLI loads them;
 * only adapters/mysql speaks SQL; job processors know ports, not adapters.
 */
const SDKS =
  '^(node_modules/)?(@slack/bolt|discord\\.js|imapflow|mailparser|nodemailer|drizzle-orm|mysql2|bullmq|ioredis|pino|smtp-server)';
const ROOTS = '^src/(main\\.ts|intake-app\\.ts|roles/)';
module.exports = {
  forbidden: [
    {
      name: 'core-imports-no-sdk',
      comment: 'src/domain, src/services and src/ports must not import an SDK: put it in an adapter.',
      severity: 'error',
      from: { path: '^src/(domain|services|ports)/' },
      to: {
        path: `${SDKS}|node_modules/(@slack|discord\\.js|imapflow|mailparser|nodemailer|drizzle-orm|mysql2|bullmq|ioredis|pino)`,
      },
    },
    {
      name: 'core-imports-no-adapter',
      comment: 'The core does not know adapters or jobs; main.ts and src/roles/ wire them.',
      severity: 'error',
      from: { path: '^src/(domain|services|ports)/' },
      to: { path: '^(adapters|jobs)/' },
    },
    {
      name: 'core-imports-no-root',
      comment: 'The core does not know the composition root or the roles.',
      severity: 'error',
      from: { path: '^src/(domain|services|ports|config\\.ts)' },
      to: { path: ROOTS },
    },
    {
      name: 'domain-is-pure',
      comment: 'src/domain holds types and pure rules: no services, no ports.',
      severity: 'error',
      from: { path: '^src/domain/' },
      to: { path: '^src/(services|ports)/' },
    },
    {
      name: 'jobs-import-no-adapter',
      comment:
        'jobs/ holds queue names, payloads and thin processors over services and ports: the roles hand them adapters.',
      severity: 'error',
      from: { path: '^jobs/' },
      to: { path: '^adapters/' },
    },
    {
      name: 'only-cli-imports-roots',
      comment:
        'Only the CLI (adapters/cli) builds the app or starts roles: no other adapter and no job imports src/main.ts or src/roles/.',
      severity: 'error',
      from: { path: '^(adapters/|jobs/)', pathNot: '^adapters/cli/' },
      to: { path: ROOTS },
    },
    {
      name: 'only-mysql-adapter-speaks-sql',
      comment: "mysql2 and drizzle-orm are adapters/mysql's business: every query lives there, behind a port.",
      severity: 'error',
      from: { pathNot: '^adapters/mysql/' },
      to: { path: '(^|node_modules/)(mysql2|drizzle-orm)(/|$)' },
    },
    {
      name: 'front-ends-import-no-mysql',
      comment:
        'Slack, Discord, IMAP and HTTP front ends reach storage through ports (src/main.ts builds the MySQL side).',
      severity: 'error',
      from: { path: '^adapters/(slack|discord|imap|http)/' },
      to: { path: '^adapters/mysql/' },
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
