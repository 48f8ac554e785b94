// A generated CommerceML catalogue the way УТ 11 writes one (import.xml with its classifier,
// offers.xml with the offer package), with what a real supplier's has: characteristics
// (`guid#guid` offers with ХарактеристикиТовара), images (`Картинка` under import_files/),
// several warehouses named in `Склады` (some in the classifier, some in the offer package),
// properties (`ЗначенияСвойств`: a dictionary one by value id, a string one) named in the
// classifier's `Свойства`, the image files themselves ([`imageFile`]: a JPEG and a PNG per
// product with images, each distinct),
// VAT 0 / 10 / 20 / 22, units by ОКЕИ code, and a price type in a foreign currency (its prices name
// no Валюта: the price type's ТипыЦен says USD). Returns both files and the generator's own model
// of what they say, so a test checks the imported catalogue against the model, not against the
// portal's parser. Used by tests/api/commerceml.test.mjs (a few dozen goods) and by the
// benchmark (bench/cml-worker.mjs --catalogue, 100,000 goods).

const MATERIALS = ['Сталь', 'Латунь', 'Бронза'];
const VAT = [['Без налога', 0], ['10', 1000], ['20', 2000], ['22', 2200]];
const UNITS = [['796', 'шт'], ['166', 'кг'], ['006', 'м'], ['112', 'л']];
import { deflateSync, crc32 } from 'node:zlib';

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
    `</Склады><Свойства><Свойство><Ид>${prefix}-pm</Ид><Наименование>Материал</Наименование><ТипЗначений>Справочник</ТипЗначений>`,
    `<ВариантыЗначений>${MATERIALS.map((m, i) => `<Справочник><ИдЗначения>${prefix}-pm-${i}</ИдЗначения><Значение>${m}</Значение></Справочник>`).join('')}</ВариантыЗначений></Свойство>`,
    `<Свойство><Ид>${prefix}-pc</Ид><Наименование>Страна</Наименование><ТипЗначений>Строка</ТипЗначений></Свойство></Свойства>`,
    `</Классификатор><Каталог СодержитТолькоИзменения="true"><Ид>${prefix}-cat</Ид><Товары>\r\n`];
  const off = [head, `<ПакетПредложений СодержитТолькоИзменения="true"><Ид>${prefix}-pkg</Ид><ТипыЦен>`,
    `<ТипЦены><Ид>${rubType}</Ид><Наименование>Оптовая</Наименование><Валюта>руб</Валюта></ТипЦены></ТипыЦен><Склады>`,
    ...inPackage.map((w) => `<Склад><Ид>${w.id}</Ид><Наименование>${esc(w.name)}</Наименование></Склад>`),
    '</Склады><Предложения>\r\n'];
  for (let n = 0; n < goods; n++) {
    const id = `${prefix}-${String(n).padStart(6, '0')}`;
    const [vatText, vatBp] = VAT[n % VAT.length];
    const [unitCode, unit] = UNITS[n % UNITS.length];
    const images = n % 3 === 0 ? [`import_files/${id.slice(-2)}/${id}-1.jpg`, `import_files/${id.slice(-2)}/${id}-2.png`] : [];
    // Material by dictionary value id; country as text on every other product (empty otherwise:
    // an empty value is no property).
    const properties = [['Материал', MATERIALS[n % MATERIALS.length]], ...(n % 2 === 0 ? [['Страна', 'Россия']] : [])];
    const p = { id, article: `${prefix.toUpperCase()}-${n}`, name: `Подшипник №${n} «${prefix}» & Ко`, unit, unitCode, vatBp, images, properties, variants: [] };
    imp.push(`\t<Товар><Ид>${id}</Ид><Артикул>${p.article}</Артикул><Наименование>${esc(p.name)}</Наименование>`
      + `<БазоваяЕдиница Код="${unitCode}" НаименованиеПолное="${unit}">${unitCode}</БазоваяЕдиница>`
      + images.map((i) => `<Картинка>${i}</Картинка>`).join('')
      + `<ЗначенияСвойств><ЗначенияСвойства><Ид>${prefix}-pm</Ид><Значение>${prefix}-pm-${n % MATERIALS.length}</Значение></ЗначенияСвойства>`
      + `<ЗначенияСвойства><Ид>${prefix}-pc</Ид>${n % 2 === 0 ? '<Значение>Россия</Значение>' : '<Значение/>'}</ЗначенияСвойства></ЗначенияСвойств>`
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
    ...item(p), article: p.article, unit: p.unit, vat_rate_bp: p.vatBp, properties: p.properties,
    variants: p.variants.map((v) => ({ ...item(v), article: p.article, unit: p.unit, vat_rate_bp: p.vatBp, properties: v.properties, variants: [] })),
  };
}

/** A small real JPEG (240 x 180, baseline), the base of every generated `.jpg`. */
const JPEG_240x180 = Buffer.from('/9j/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAC0APADASIAAhEBAxEB/8QAGQABAQEBAQEAAAAAAAAAAAAAAQIABgME/8QAMRAAAgECBAQEBgICAwAAAAAAAAERAiExQVFhEnGB8CKRobEDMlLB0fFi4RMjQqKy/8QAGgEBAQEBAQEBAAAAAAAAAAAAAwIBAAQGBf/EAC4RAQEAAgAEBQIFBQEBAAAAAAEAEfACITFBElFhcYGx0TJCkaHBAxMi4fEEM//aAAwDAQACEQMRAD8A4FItUDRSe1NKSl4Hr/of0TjMtPixea+GV/iSxsVLq+WyHgSvU7jeD+n+Uz6vIrFp4KJxFU0/Sy0vpp8zLeryO8PD5H6fesY4FNqB4aZh0rzK4c+Hq2McuiMwHb6faQaXSpsl7iqFovJlRf8AuBSm8T0M8JnoSDTwqJdPoUlTohShWv5FRmYY8pBpqpVoSMqNvT+i2pjMYjmS8PD4l7VjTwJYwu+QqlfT7FpRhcyU4vi6mYJBjgUYezFU7f8AUqLf1Axp6MxDPTfiQaUqYs6fIpU7UDtPRoeH+KfIzBnlv1kGFS/oXoNljQl0FJPCp9SvFTipRnbP2axhcP0ryLSp+leQcFNWFmZTS4Z39x4PxBjzkK1RT9K8jwSPpoPKikP/ANgcXgwef8ScDCoLXwz0ppSUvA0ur5bIj+zwcAeLrIcTT/iSxsKoonErgS+bEpfxp8zfBw9PCfWsbnPhoupcVXDkh+EoU6DSopl4nu4P/mcPnzfYviM87fLZY+xuFU43bGlcKnFspKLK9TKXPN/591rGI+p9EKURhSKUPV5t5ClmvNmZ57v6YJBhLOOrGOq8hS/bKjD73ZO7vzINKVrfgqJ7kUr9sY/eJMgwvYaVeEMYekjBmaxiJjMpK7aMldIpKyMGQY4cvMYm3p+xiwxYxkGEu8BjX1KSy9DJW280SuOu76yDEZYbPAYjbdYFJW09hSiys9GY7v8AysYj6l1Q3p3pFLTyYpWmnDNGZ77/ALP3kGHTHipwzRTXHRujJcLTWDKS4arYPAw8no9fuSDHww+HSXRTFbRvhKFOhHV4B7Z/iQbVLiqjJFfLZY+xqVw0y8RpXCpxbOOL83d/YrGOFU43bKj6n0Rkosr1MpKHa7zbyM9N/wBsg3PUL/WyuH5aepqafAuZUfM+h7eF/wAT2PvfDjGtXRClHN4vQqIeHym4cnzZSu78exIMWjb3KhypifRClfC/sjJYW5InO7vzINks9c9RjEUpWGPqKWBOd3frIMJDCxFK2xSVzKxiH1GNrGStyKS2MzmQYi4pClcUtSRkGIt7lRgKV9zKk6QbJailff1GBgnNYwly+zGLRlmtBi/5KS70M67u/rIMRhfkxjOL5oySi+Ga0KiMrr1ROd3e0gwl/wAcngMeHdMY9LopKXCzRnXlujIMJeNboKV/rZa/4mpXgXMlefL1/fEg24flp6jrV0Qx8z6FRDw+U1d35axpSjDF4vQbRt7jw5Pmykr4X9ifTd+r6Eg3PUK1KFLCXuxpXhTWjKS/B7eFwG9i+HGlLCebKS/LGPLbYUtr49Td3fOQYS1vruKSe/3FLcpLYnd3+ZBpSh6jFioveCkryzCsaY9hSwHOSuEzPlINKWApIUikpJkGmIgpJjF0KX6MzzkGEhi2opSMIlkGIxuMalJWMlHIxcdaxtGePMUnYeG2EjBj13d+JBhLDP7il6eqKS73MltuTnd3tINko6ClEbMUocdBhxzR2d34kGFSrbODUK1KKi/UaV4U1oyej7fcrGEsJ5sUsJ5sqPwMeW2xm7veQYS/LFLW+u4pbb9RS3M3d+sg3PUzwpbFQ5wWfoNFNui9xSmJzPdwrg9r4cYjKwwUlIpHZkGEhSttyHK5UGZrGlLkMPMUtV5FJE+kg0pFKkaUZLzJ9WQbJCkVDNFjl85BhKLlR+DRfoUl6mZ7SDEbClsORSWBOctYwkMIUsmZLNneJkGIWhUdyMdRy7uRmQYStsMFRhn9zJHLyrGIyuUkm+vuKQpQtcvUzPnIMKlY8mameFLYpKLafkaFbovch6mPJkGL6a+gxkKUxOZSUnLmQaYFIpIcrk5kG56lWpb7xGIUa/gpLwLl+RW/fcHvOhfDjEX0GNugqnJXKS2MZBhK+FzJdCkvLvvqKVjOtYwlsMClYUpMkGIKSvgKWwpGZ7yDSqfP2K4VMIUrWGIRJjEgwl4mKVuQ0q5UNOUYOTNYwuXMyXl7FJJu1hS/ZkgwlsMDHeAxfcyQYSKSzGMLd9/Ye5MziQaUiklGwpW77/Qxr698yeWKxjh/YxaRjmykpcvvuTOvSQYi3U1KtS33iPfsUl4Fy/JC54+XaQaYhRr+CovewrG/fcCqclc72kGI26FJXwuZIUvLvvqZmQbn6X4Uo77YzOXfbNQsO9C4jDE9vDxcXh5vK+HGmJy77ZSTyUdRh4N99wMLTvtm1jCnl335Cly779Co776ikSyDSlGRUPQUrjBnOQYiMUuopPYUu0VHUz2kGlJ6oVQ9hSXIpJpwyeT1kGlLhu7lTsNSwFUwrmcxeHheVYx0FLYpTlYyU6sx5yDCTX7FKdCkuXQYMz6yDSlyKvoMWFInpIMRnA+QpQVHluZWMJPVd/oVS9V3+hS1XfcjFpXfcmL5yDCoe3f6Gl+FKO+2Uu/UKFh3oS/4o8HeQbTOWPf3GJy77ZUQrYjDwb77g5y9X6SDCTyXqKT5d9+QwtLd/kqO++pPOsbnqVFM6L8FJRbUFT4V3kXEzbE9/C8r4gaUtPPvkUkhicOnuKSOzWMR+xh9RS2FInMgwkUkZLYqLE5kGEsDQVFkUlsdzZBpi33GJUaCqfL2FLbmTmsYjAqL8jJYFJSuZOcyDA8PmKV8LikcvdkGIGBixUYMzMgxAwKVhS2JzmsYgYFLUY/szMgwlpiUleVqKXoKUY+RmcSDCUPoalRTOi/BSUJa/wBGVPhXeRGU32kGyUW1FLTz75DEzbEqJw6e5ufKsYSRo/ZSSFLYnOeUg3P0xC7yFJa6GpWHQpLLmj3nE4N9L4cYgpLToZa9RhdPsZnHPd7yDaMzR1Kjz+4pGMgwljdCkhSzsMRyJ8WOcg2gVTF0KVhSzZy86xhLAY7kYtoMX3JzIMJQxSGJZUE56yDEczKCoFLVHLIMQKTGLlRGhPXmyDTGxSQx1FLYzNY0rC3ehSXkKQxbbEnd31kGEvx+Rhxhihhrn9ykr219jpBphzPNlUxC7yFYdH7mpWHQjOOITvINklroMCllzQrXqdmsYS0KjM0Lp9iovv8AczPaQbnkvC1sitY5oaaf/IpfLlNj3GcY3ed8OMcuaFLvYUoXLEUosolYGZ3d5SDEe3mhgYWWGT0KSjvAzru78yDCWvMUl5jF8BgzLu7+lYwlZCl6jAx3qSsgwkUuQxqMHdJBpS1KgYuhgnpIMIUhgqMDM5kGlLD8FJCkKRlY0xrgVC5fYcsregpRzJzjd39kGI/v8Dz5spLD03GNcFjzMc7u/Mgwl6XYpeiFLBPmxiVzZi7vxIMQ/wDqKXha2RX1Gpp/8kPN5ev8kg21jmh5c0KXy5ZClC5Y8jl77577VjCWnaGPbzQqmLLFYDCywyehi7u/rINz6V6OX2FUyql1FqFS9IKdqpyZ7+Xfcl8ONOlXRlKnLyGOF/xYwoh4ZMzPnv8Ap+sgwljbmjJW2yehUYTjkxSjGz9GSu7vlIMcOyvlqUl3mZLkvZil2zM1jaLbCltj6ihSOySDCpFJRgKVtioz6k8sSDSldNjAx7FR5E5kGErilmKQpfsxaxiMu/IYFK2xUeW+Bm7vvINMfvIpK+HTUd/VjFpwWuZmee7veQYSvv7Ckow8K9RStpT7jE3eGSJ5Y3cfWQYhx/JlJLithSKUeJ54ClFE5s7J/O+7WNMeBvVlJXo5fYWo+Ghaiml6QGuHL2CQYVMqpdR0q6Mp2qnIY4X/ABZry+NJBhU5eQpY25oYSUPDJjGE45MzON37YkG55rwU8ikp+GpMY/Q/M+32viCaLpp5DQrunLExieDn4PmQlWaWTYvw4YaGMRn/AB+ZCppU4DT8kq0mMbxcnixWTTelvC+Q03qawtkYxz1JCafnSGrwzBjEv4d8pCqpcLkqISexjE96y1F6Z3KpUzlBjE9pCy+dLArCpJeZjHPf3kJqXDvuyohJ4vcxjvzfFZNK8Kqd2NHibbvBjEn5PWQmlcVd8jO9ST1MYl58HzIdaviC14FyMYnj/Hx+0nDUlPw1I0XTTyMYw/Fw+38SE0K7pyFWaWTZjEn4eGQv/9k=', 'base64');

/** A PNG (RGB, 8 bits) of `width` x `height`: a gradient tinted by `seed`. */
export function png(width, height, seed = 0) {
  const chunk = (type, data) => {
    const len = Buffer.alloc(4); len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4); crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0); ihdr.writeUInt32BE(height, 4); ihdr.set([8, 2, 0, 0, 0], 8);
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) raw.set([(x + seed) & 255, (y * 2) & 255, (seed * 37) & 255], row + 1 + x * 3);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * The file of a generated `Картинка` path (`import_files/xx/<id>-1.jpg` or `-2.png`), made on
 * demand (the 100,000-goods catalogue references 66,000 of them): its bytes and size. The JPEG is
 * the sample with a comment segment naming the path (so each file differs); the PNG is 480 to
 * 1,080 px wide, larger than the biggest thumbnail.
 */
export function imageFile(path) {
  const seed = [...path].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7);
  if (path.endsWith('.jpg')) {
    const note = Buffer.from(path, 'utf8');
    const com = Buffer.alloc(4); com.set([0xff, 0xfe]); com.writeUInt16BE(note.length + 2, 2);
    return { bytes: Buffer.concat([JPEG_240x180.subarray(0, 2), com, note, JPEG_240x180.subarray(2)]), width: 240, height: 180 };
  }
  const width = 480 + (seed % 13) * 50;
  const height = 320;
  return { bytes: png(width, height, seed), width, height };
}
