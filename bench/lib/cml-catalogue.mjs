// A generated CommerceML catalogue the way УТ 11 writes one (import.xml with its classifier,
// offers.xml with the offer package), with what a real supplier's has: characteristics
// (`guid#guid` offers with ХарактеристикиТовара), images (`Картинка` under import_files/),
// several warehouses named in `Склады` (some in the classifier, some in the offer package),
// VAT 0 / 10 / 20 / 22, units by ОКЕИ code, and a price type in a foreign currency (its prices name
// no Валюта: the price type's ТипыЦен says USD). Returns both files and the generator's own model
// of what they say, so a test checks the imported catalogue against the model, not against the
// portal's parser. Used by tests/api/commerceml.test.mjs (a few dozen goods) and by the
// benchmark (bench/cml-worker.mjs --catalogue, 100,000 goods).

const VAT = [['Без налога', 0], ['10', 1000], ['20', 2000], ['22', 2200]];
const UNITS = [['796', 'шт'], ['166', 'кг'], ['006', 'м'], ['112', 'л']];
const esc = (s) => String(s).replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

/**
 * `goods` products; `prefix` makes ids, articles and warehouses unique; `rubType` is the id of
 * the rouble price type (a company's agreement names it to see prices). Every 4th product has two
 * characteristics, every 3rd two images; stock per warehouse (of `warehouses`), the first half
 * named in the classifier, the rest in the offer package.
 */
export function generate({ goods, prefix, rubType = 'pt-opt', warehouses = 3 }) {
  const usdType = `${prefix}-usd`;
  const whs = Array.from({ length: warehouses }, (_, i) => ({ id: `${prefix}-w${i}`, name: `Склад ${prefix} №${i + 1}` }));
  const inClassifier = whs.slice(0, Math.ceil(warehouses / 2));
  const inPackage = whs.slice(Math.ceil(warehouses / 2));
  const model = { products: [], priceTypes: [{ id: rubType, currency: 'RUB' }, { id: usdType, name: 'Опт USD', currency: 'USD' }], warehouses: whs };
  const head = '\ufeff<?xml version="1.0" encoding="UTF-8"?>\r\n<КоммерческаяИнформация xmlns="urn:1C.ru:commerceml_210" ВерсияСхемы="2.10">';
  const imp = [head, `<Классификатор><Ид>${prefix}-cl</Ид><Наименование>Классификатор</Наименование><ТипыЦен>`,
    `<ТипЦены><Ид>${usdType}</Ид><Наименование>Опт USD</Наименование><Валюта>USD</Валюта></ТипЦены></ТипыЦен><Склады>`,
    ...inClassifier.map((w) => `<Склад><Ид>${w.id}</Ид><Наименование>${esc(w.name)}</Наименование></Склад>`),
    `</Склады></Классификатор><Каталог СодержитТолькоИзменения="true"><Ид>${prefix}-cat</Ид><Товары>\r\n`];
  const off = [head, `<ПакетПредложений СодержитТолькоИзменения="true"><Ид>${prefix}-pkg</Ид><ТипыЦен>`,
    `<ТипЦены><Ид>${rubType}</Ид><Наименование>Оптовая</Наименование><Валюта>руб</Валюта></ТипЦены></ТипыЦен><Склады>`,
    ...inPackage.map((w) => `<Склад><Ид>${w.id}</Ид><Наименование>${esc(w.name)}</Наименование></Склад>`),
    '</Склады><Предложения>\r\n'];
  for (let n = 0; n < goods; n++) {
    const id = `${prefix}-${String(n).padStart(6, '0')}`;
    const [vatText, vatBp] = VAT[n % VAT.length];
    const [unitCode, unit] = UNITS[n % UNITS.length];
    const images = n % 3 === 0 ? [`import_files/${id.slice(-2)}/${id}-1.jpg`, `import_files/${id.slice(-2)}/${id}-2.png`] : [];
    const p = { id, article: `${prefix.toUpperCase()}-${n}`, name: `Подшипник №${n} «${prefix}» & Ко`, unit, unitCode, vatBp, images, variants: [] };
    imp.push(`\t<Товар><Ид>${id}</Ид><Артикул>${p.article}</Артикул><Наименование>${esc(p.name)}</Наименование>`
      + `<БазоваяЕдиница Код="${unitCode}" НаименованиеПолное="${unit}">${unitCode}</БазоваяЕдиница>`
      + images.map((i) => `<Картинка>${i}</Картинка>`).join('')
      + `<СтавкиНалогов><СтавкаНалога><Наименование>НДС</Наименование><Ставка>${vatText}</Ставка></СтавкаНалога></СтавкиНалогов></Товар>\r\n`);
    const offers = [{ row: p, id, name: p.name }];
    if (n % 4 === 0) {
      for (const [c, colour] of [[1, 'Красный'], [2, 'Синий']]) {
        const v = { id: `${id}#c${c}`, name: `${p.name} (${colour})`, properties: [['Цвет', colour], ['Размер', `${40 + c}`]] };
        p.variants.push(v);
        offers.push({ row: v, id: v.id, name: v.name });
      }
    }
    for (const [k, o] of offers.entries()) {
      const rub = 1000 + ((n * 37 + k * 11) % 90000) + (n % 100) / 100;
      const usd = 10 + ((n * 7 + k) % 500) + (n % 10) / 10;
      o.row.prices = { [rubType]: { kop: Math.round(rub * 100), currency: 'RUB' }, [usdType]: { kop: Math.round(usd * 100), currency: 'USD' } };
      o.row.stock = whs.map((w, i) => ({ warehouse: w.name, id: w.id, qty_milli: ((n + i + k) % 9) * 1000 + (i === 0 ? 500 : 0) }))
        .filter((s, i) => i === 0 || s.qty_milli > 0);
      off.push(`\t<Предложение><Ид>${o.id}</Ид><Наименование>${esc(o.name)}</Наименование>`
        + (o.row.properties ? `<ХарактеристикиТовара>${o.row.properties.map(([a, b]) => `<ХарактеристикаТовара><Наименование>${a}</Наименование><Значение>${b}</Значение></ХарактеристикаТовара>`).join('')}</ХарактеристикиТовара>` : '')
        + `<Цены><Цена><ИдТипаЦены>${rubType}</ИдТипаЦены><ЦенаЗаЕдиницу>${rub.toFixed(2)}</ЦенаЗаЕдиницу><Валюта>руб</Валюта><Коэффициент>1</Коэффициент></Цена>`
        + `<Цена><ИдТипаЦены>${usdType}</ИдТипаЦены><ЦенаЗаЕдиницу>${usd.toFixed(2)}</ЦенаЗаЕдиницу></Цена></Цены>`
        + `<Остатки>${o.row.stock.map((s) => `<Остаток><Склад><Ид>${s.id}</Ид><Количество>${s.qty_milli / 1000}</Количество></Склад></Остаток>`).join('')}</Остатки></Предложение>\r\n`);
    }
    model.products.push(p);
  }
  imp.push('</Товары></Каталог></КоммерческаяИнформация>\r\n');
  off.push('</Предложения></ПакетПредложений></КоммерческаяИнформация>\r\n');
  return { importXml: Buffer.from(imp.join('')), offersXml: Buffer.from(off.join('')), model };
}

/** What the catalogue API should answer for a product of the model (prices at `rubType`). */
export function expectedCard(p, rubType = 'pt-opt') {
  const item = (r) => {
    const stock = r.stock.map(({ warehouse, qty_milli }) => ({ warehouse, qty_milli })).sort((a, b) => (a.warehouse < b.warehouse ? -1 : 1));
    return { onec_id: r.id, name: r.name, price_kop: r.prices[rubType].kop, stock_milli: stock.reduce((s, x) => s + x.qty_milli, 0), stock };
  };
  return {
    ...item(p), article: p.article, unit: p.unit, vat_rate_bp: p.vatBp, properties: [],
    variants: p.variants.map((v) => ({ ...item(v), article: p.article, unit: p.unit, vat_rate_bp: p.vatBp, properties: v.properties, variants: [] })),
  };
}
