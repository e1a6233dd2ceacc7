-- Kalshi's order and trade ids are unique per exchange, not across exchanges: a new embedded
-- simulator reuses the ids of the last one. Orders, fills and ledger entries are now keyed by the
-- session's exchange. Rows written before this migration get the exchange of their session:
-- "<environment>:<REST URL>" for Kalshi's demo and production, and a key of their own for
-- simulator sessions (each simulator run was a separate exchange).
ALTER TABLE "trading_sessions" ADD COLUMN "exchange" text;--> statement-breakpoint
UPDATE "trading_sessions" SET "exchange" = CASE
  WHEN "environment" <> 'sim' AND "config" ->> 'restUrl' IS NOT NULL THEN "environment" || ':' || ("config" ->> 'restUrl')
  ELSE 'legacy:' || "id" END;--> statement-breakpoint
ALTER TABLE "trading_sessions" ALTER COLUMN "exchange" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" ADD COLUMN "exchange" text;--> statement-breakpoint
UPDATE "orders" o SET "exchange" = s."exchange" FROM "trading_sessions" s WHERE s."id" = o."session_id";--> statement-breakpoint
ALTER TABLE "orders" ALTER COLUMN "exchange" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "orders" DROP CONSTRAINT "orders_order_id_key";--> statement-breakpoint
ALTER TABLE "orders" ADD CONSTRAINT "orders_exchange_order_id_key" UNIQUE("exchange","order_id");--> statement-breakpoint
ALTER TABLE "fills" ADD COLUMN "exchange" text;--> statement-breakpoint
UPDATE "fills" f SET "exchange" = s."exchange" FROM "trading_sessions" s WHERE s."id" = f."session_id";--> statement-breakpoint
ALTER TABLE "fills" ALTER COLUMN "exchange" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "fills" DROP CONSTRAINT "fills_pkey";--> statement-breakpoint
ALTER TABLE "fills" ADD CONSTRAINT "fills_pkey" PRIMARY KEY("exchange","fill_id");--> statement-breakpoint
DROP INDEX "fills_order_id_idx";--> statement-breakpoint
CREATE INDEX "fills_order_id_idx" ON "fills" USING btree ("exchange","order_id");--> statement-breakpoint
ALTER TABLE "ledger" ADD COLUMN "exchange" text;--> statement-breakpoint
UPDATE "ledger" l SET "exchange" = s."exchange" FROM "trading_sessions" s WHERE s."id" = l."session_id";--> statement-breakpoint
ALTER TABLE "ledger" ALTER COLUMN "exchange" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "ledger" DROP CONSTRAINT "ledger_kind_ref_key";--> statement-breakpoint
ALTER TABLE "ledger" ADD CONSTRAINT "ledger_exchange_kind_ref_key" UNIQUE("exchange","kind","ref");
