import { gzipSync } from 'node:zlib';
import { build } from 'vite';
const root = process.cwd() + '/app-size/';
const r = await build({ root, configFile:false, logLevel:'silent', define:{'process.env.NODE_ENV':'"production"'}, build:{ write:false, target:'es2022', modulePreload:false, rolldownOptions:{ input: root+process.argv[2] } } });
const rows=[];
for (const o of (Array.isArray(r)?r:[r]).flatMap(x=>x.output)) if (o.type==='chunk') for (const [id,m] of Object.entries(o.modules)) if (m.code) rows.push([gzipSync(m.code,{level:9}).length, m.code.length, id.replace(/.*typeonly\//,'')]);
rows.sort((a,b)=>b[0]-a[0]); for (const r of rows) console.log(r.join('\t'));
