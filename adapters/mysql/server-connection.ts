/**
 * The database server itself, reached as the URL's user on no database: what the tests and benchmarks
 * use to create and drop databases of their own. The app never does; it works in the database its
 * DATABASE_URL names.
 */
import mysql from 'mysql2/promise';

/** One connection to the server `url` names (its database part ignored); the caller ends it. */
export function serverConnection(url: string): Promise<mysql.Connection> {
  const server = new URL(url);
  return mysql.createConnection({
    host: server.hostname,
    port: Number(server.port),
    user: server.username,
    password: server.password,
  });
}
