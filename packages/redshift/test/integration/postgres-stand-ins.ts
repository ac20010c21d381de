import type { Client } from 'pg';
import { quoteIdent } from '../../src/redshift-sql';

/**
 * Stand-ins, on PostgreSQL, for the Redshift-only views the engine's catalog reads: same names and
 * columns, computed from PostgreSQL's own catalogs (ACLs through aclexplode), so a grant made in the
 * test database shows up as Redshift would list it. SVV_USER_GRANTS is empty (PostgreSQL has no
 * Redshift RBAC roles; its roles are the groups pg_group lists) and SYSLOG ACCESS and SESSION
 * TIMEOUT read as Redshift's defaults; those are covered by unit tests from documented rows.
 */
export async function createStandInViews(client: Client, schema: string): Promise<void> {
  const s = quoteIdent(schema);
  const identity = `a.grantee::int AS identity_id, r.rolname::text AS identity_name,
      CASE WHEN r.rolcanlogin THEN 'user' ELSE 'group' END AS identity_type, a.is_grantable AS admin_option`;
  const statements = [
    `CREATE SCHEMA ${s}`,
    `CREATE VIEW ${s}.svl_user_info AS
       SELECT r.oid::int AS usesysid, r.rolname::text AS usename, 'RESTRICTED'::text AS syslogaccess,
              CASE WHEN r.rolconnlimit < 0 THEN 'UNLIMITED' ELSE r.rolconnlimit::text END AS useconnlimit,
              0 AS sessiontimeout
         FROM pg_roles r`,
    `CREATE VIEW ${s}.svv_user_grants AS
       SELECT NULL::int AS user_id, NULL::text AS user_name, NULL::int AS role_id, NULL::text AS role_name,
              false AS admin_option
        WHERE false`,
    `CREATE VIEW ${s}.svv_database_privileges AS
       SELECT d.datname::text AS database_name, a.privilege_type, ${identity}
         FROM pg_database d CROSS JOIN LATERAL aclexplode(d.datacl) a JOIN pg_roles r ON r.oid = a.grantee`,
    `CREATE VIEW ${s}.svv_schema_privileges AS
       SELECT n.nspname::text AS namespace_name, a.privilege_type, ${identity}
         FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a JOIN pg_roles r ON r.oid = a.grantee`,
    `CREATE VIEW ${s}.svv_relation_privileges AS
       SELECT n.nspname::text AS namespace_name, c.relname::text AS relation_name, a.privilege_type, ${identity}
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN LATERAL aclexplode(c.relacl) a JOIN pg_roles r ON r.oid = a.grantee
        WHERE c.relkind IN ('r', 'v', 'm', 'p')`,
    `CREATE VIEW ${s}.svv_function_privileges AS
       SELECT n.nspname::text AS namespace_name, p.proname::text AS function_name,
              oidvectortypes(p.proargtypes) AS argument_types, a.privilege_type, ${identity}
         FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
         CROSS JOIN LATERAL aclexplode(p.proacl) a JOIN pg_roles r ON r.oid = a.grantee`,
    `CREATE VIEW ${s}.pg_proc_info AS SELECT * FROM pg_proc`,
  ];
  for (const statement of statements) await client.query(statement);
}
