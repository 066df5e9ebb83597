/**
 * @module enrich/user-agent-samples
 * Real User-Agent strings seen on SIP networks (softphones, SDKs, PBXs,
 * phones, scanners), used by tests and the benchmark to measure how often
 * the random-agent rule misfires. Data only; nothing reads it at run time.
 */

/** Real agents seen on SIP networks: softphones, SDKs, PBXs, phones, scanners. */
export const REAL_AGENTS: readonly string[] = [
  'X-Lite release 1006e stamp 34025',
  'X-Lite release 1105d stamp 41434',
  'X-Lite 4 release 4.9.7.1 stamp 83374',
  'VaxSIPUserAgent/3.0',
  'VaxSIPUserAgent/3.1',
  'VaxSIPUserAgent/3.5',
  'friendly-scanner',
  'friendly-request',
  'Zoiper rev.6751',
  'Zoiper r10745',
  'Zoiper rev.11137',
  'Asterisk PBX 1.6.2.9',
  'Asterisk PBX 1.8.4.4',
  'Asterisk PBX 11.7.0',
  'Asterisk PBX 16.2.1~dfsg-1+deb10u1',
  'Asterisk PBX 20.5.0',
  'Asterisk',
  'eyeBeam release 1011d stamp 40820',
  'eyeBeam release 1004p stamp 31962',
  'Linksys/SPA942-6.1.5(a)',
  'Linksys/SPA2102-5.2.5',
  'Linksys/PAP2T-5.1.6(LS)',
  'Grandstream GXP2000 1.1.6.16',
  'Grandstream GXP2160 1.0.9.81',
  'Grandstream HT-502 V1.2A 1.0.1.53',
  'Grandstream Wave Android 1.0.3.29',
  'PolycomSoundPointIP-SPIP_550-UA/3.3.2.0413',
  'PolycomVVX-VVX_410-UA/5.9.5.0614',
  'sipcli/v1.8',
  'sipcli/v1.9',
  'pplsip',
  'MicroSIP/3.19.31',
  'MicroSIP/3.21.3',
  'Z 5.5.12 v2.10.18.8',
  'Z 3.3.25608 r25552',
  'SJphone/1.65.377a (SJ Labs)',
  'SJphone/1.60.299a/L (SJ Labs)',
  'Linphone/3.6.1 (eXosip2/4.0.0)',
  'Linphone Desktop/4.4.10 (Ubuntu 20.04.3 LTS, Qt 5.15.2) LinphoneCore/5.0.0',
  'LinphoneAndroid/4.6.2 (Pixel 5) LinphoneSDK/5.0.45',
  'Bria 5 release 5.4.0 stamp 95611',
  'Bria iOS release 6.5.2 stamp 110412',
  'CSipSimple_GT-I9100-10/r2457',
  '3CXPhone 6.0.26523.0',
  '3CXPhoneSystem 16.0.7.1078 (1071)',
  'FreeSWITCH-mod_sofia/1.10.7-release~64bit',
  'FreeSWITCH-mod_sofia/1.6.20~64bit',
  'FPBX-13.0.197(13.23.1)',
  'FPBX-2.11.0(1.8.32.3)',
  'kamailio (5.5.2 (x86_64/linux))',
  'OpenSIPS (3.2.4 (x86_64/linux))',
  'Yealink SIP-T46S 66.86.0.15',
  'Yealink SIP-T21P_E2 52.84.0.15',
  'Cisco-CP7960G/8.0',
  'Cisco-SIPGateway/IOS-15.x',
  'Cisco-CUCM10.5',
  'snom300/8.7.5.35',
  'snom D725/10.1.54.13',
  'Aastra 6757i/3.3.1.4053',
  'Fanvil X4 2.4.6.1',
  'Panasonic-KX-UT123/01.133 (0080f0c9a9b5)',
  'Gigaset N510 IP PRO/42.250.00.000.000',
  'AVM FRITZ!Box 7490 113.07.29 (Nov 12 2021)',
  'OBIHAI/OBi202-3.2.2.5921',
  'Audiocodes-Sip-Gateway-MP-112 FXS/v.6.60A.336.001',
  'Ozeki VoIP SIP SDK v10.0',
  'PortSIP VoIP SDK 11.2.1.1154',
  'PortSIP UAC',
  'Conaito SIP client',
  'PJSUA v2.10 Linux-5.4.0/x86_64/glibc-2.31',
  'pjsip python',
  'Telephone 1.4',
  'Jitsi2.10.5550Linux',
  'Ekiga/4.0.1',
  'Blink 3.2.1 (Windows)',
  'Twinkle/1.10.2',
  'baresip v1.0.0 (x86_64/linux)',
  'Sipdroid/2.9 beta/Nexus 5',
  'Acrobits Softphone/6.5.1',
  'Groundwire/5.9.3 (build 12345)',
  'PhonerLite 2.77',
  'Express Talk 5.04',
  'MizuPhone 3.1',
  'Elastix 2.5',
  'Issabel 4',
  'Yeastar P-Series 37.9.0.26',
  'sipsak 0.9.6',
  'sipsak 0.9.8.1',
  'SIPp/Linux',
  'SIPScan',
  'sip-scan',
  'Nmap NSE',
  'UNfriendly-scanner - for demo purposes',
  'Test Agent',
  'Custom SIP Phone',
  'VoIPSec',
  'SIVuS_VoIP_Scanner',
  'siparmyknife_11232011',
  'iWar',
  'smap 0.6.0',
  'sundayddr',
  'Huawei HG8245Q2 V300R019',
  'JsSIP 3.9.0',
  'SIP.js/0.21.2',
  'Microsoft-Lync/2010',
  'Avaya one-X Deskphone',
  'Cisco-SIPGateway/IOS-12.x',
  '5b3c1e2fa8d04c6b9e7f',
  '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
  'MyCompany SIP/1.0',
  'UsaAirport',
  'Htek UC926 2.0.4.4.46',
];

/** The characters of the article's random agents. */
export const RANDOM_UA_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Uniform random strings from a seeded PRNG (mulberry32), as a random-UA tool would make. */
export function randomStrings(count: number, length: number, seed: number): string[] {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    for (let j = 0; j < length; j++)
      s += RANDOM_UA_ALPHABET[Math.floor(next() * RANDOM_UA_ALPHABET.length)] ?? '';
    out.push(s);
  }
  return out;
}
