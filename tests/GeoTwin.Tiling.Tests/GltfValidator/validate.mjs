// Validates GLB files with the Khronos glTF-Validator; prints one JSON line a file:
// {"file", "errors", "warnings", "messages": [{code, severity, pointer, message}]} (severity 0 error, 1 warning, 2 info).
import { readFile } from 'node:fs/promises';
import validator from 'gltf-validator';

for (const file of process.argv.slice(2)) {
  const report = await validator.validateBytes(new Uint8Array(await readFile(file)), {
    uri: file,
    maxIssues: 50,
    writeTimestamp: false,
  });
  const messages = report.issues.messages.map(({ code, severity, pointer, message }) => ({ code, severity, pointer, message }));
  console.log(JSON.stringify({ file, errors: report.issues.numErrors, warnings: report.issues.numWarnings, messages }));
}
