-- Catalogue images (issue 18, part 3). Each `Картинка` of an imported product, with what became
-- of it: its thumbnails are made in the exchange Worker's queue consumer after the products of the
-- file are in (`pending`), then `done` (thumbnails in R2 under `catalogue/images/<image>/`),
-- `missing` (1C sent no such file in the exchange), or `skipped` (not a JPEG/PNG, over the pixel
-- cap, undecodable, or given up after `attempts`): a bad image is noted, never fails the import.
CREATE TABLE cml_images (
  job          TEXT NOT NULL,      -- the import of the import.xml that listed it
  session      TEXT NOT NULL,      -- the exchange whose uploaded files hold it
  product      TEXT NOT NULL,      -- the product's 1C id
  position     INTEGER NOT NULL,   -- 0: the product's main image
  path         TEXT NOT NULL,      -- as written in `Картинка`, with `/` (import_files/ab/abcd.jpg)
  base         TEXT NOT NULL,      -- its file name (abcd.jpg): the upload may keep no subfolders
  status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'missing', 'skipped')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  image        TEXT,               -- content id of the thumbnails, when done
  note         TEXT,
  updated_at   TEXT NOT NULL,
  PRIMARY KEY (job, product, position)
);
CREATE INDEX cml_images_pending ON cml_images (job, status);
-- The product's main image: JSON {"id": content id, "w": .., "h": ..} of its 160 px thumbnail
-- (its 480 px one has the same aspect); NULL without one.
ALTER TABLE products ADD COLUMN image TEXT;
