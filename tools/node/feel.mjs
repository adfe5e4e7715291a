// Avalia textos FEEL com o feelin (um motor FEEL de verdade) para os testes do PROMETHEUS.
// Entrada (stdin, JSON): [{"tipo": "unario" | "expressao", "texto": "...", "contexto": {...}}]
// Em "unario" o valor testado é contexto["?"]. Um valor {"$data": "AAAA-MM-DD"} vira a data FEEL.
// Saída (stdout, JSON): o resultado de cada item, na ordem (true, false ou null).
import { evaluate, unaryTest } from 'feelin';

function valor(v) {
  if (v && typeof v === 'object' && '$data' in v) {
    return evaluate(`date("${v.$data}")`).value;
  }
  return v;
}

let entrada = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (parte) => { entrada += parte; });
process.stdin.on('end', () => {
  const itens = JSON.parse(entrada);
  const saida = itens.map(({ tipo, texto, contexto }) => {
    const ctx = Object.fromEntries(Object.entries(contexto).map(([k, v]) => [k, valor(v)]));
    const corpo = tipo === 'expressao' && texto.startsWith('=') ? texto.slice(1) : texto;
    const { value } = tipo === 'unario' ? unaryTest(corpo, ctx) : evaluate(corpo, ctx);
    return value === undefined ? null : value;
  });
  process.stdout.write(JSON.stringify(saida));
});
