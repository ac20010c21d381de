import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { defaultTrustedCertificates, rdsCertificateCount, tlsSettingsFor } from '../../src';

describe('trusted certificates', () => {
  it("ships the Amazon RDS CAs on top of Node's roots", () => {
    const all = defaultTrustedCertificates();
    expect(rdsCertificateCount).toBeGreaterThanOrEqual(100);
    expect(all.length).toBe(rootCertificates.length + rdsCertificateCount);
    const subjects = all.slice(rootCertificates.length).map((pem) => new X509Certificate(pem).subject);
    expect(subjects.some((s) => /Amazon RDS .*Root CA/.test(s))).toBe(true);
  });

  it('verifies host names; an IP host is checked against IP SANs without SNI', () => {
    expect(tlsSettingsFor('db.example.com', [])).toMatchObject({
      servername: 'db.example.com',
      rejectUnauthorized: true,
    });
    const ip = tlsSettingsFor('10.0.0.5', ['extra']);
    expect(ip.servername).toBeUndefined();
    expect(ip.host).toBe('10.0.0.5');
    expect(ip.ca.at(-1)).toBe('extra');
  });
});
